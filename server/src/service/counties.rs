//! The deployment's counties, each a tenant with its own [`Services`] (store, blobs, audit log),
//! and the one rule that finds a request's county: from its token, its login or its refresh token.

use std::sync::Arc;

use super::Services;

/// Who a county's services serve: its code (in every token and tagged refresh token) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyName {
    pub code: String,
    pub name: String,
    /// The deployment holds other counties: refresh tokens carry this county's code.
    pub tagged: bool,
}

impl CountyName {
    /// The refresh token handed out for `secret`: `code.secret` in a deployment of several counties
    /// (base64url has no `.`), the secret alone in a deployment of one, as before there were several.
    pub fn refresh_token(&self, secret: &str) -> String {
        if self.tagged { format!("{}.{secret}", self.code) } else { secret.to_owned() }
    }
}

/// Why a request has no county.
#[derive(Debug, thiserror::Error)]
pub enum CountyError {
    #[error("{0:?} is not a county of this deployment")]
    Unknown(String),
    #[error("this deployment holds several counties: name one (`county`)")]
    Unnamed,
    #[error("this token is for county {token:?}, not {asked:?}")]
    OtherCounty { token: String, asked: String },
}

/// The counties of the deployment, in the configured order; never empty.
#[derive(Clone)]
pub struct Counties {
    all: Vec<Arc<Services>>,
}

impl Counties {
    /// The deployment of `all` (the first answers tokens that name no county: those issued before
    /// the deployment held several). `None` when `all` is empty.
    pub fn new(all: Vec<Arc<Services>>) -> Option<Counties> {
        (!all.is_empty()).then_some(Counties { all })
    }

    pub fn first(&self) -> &Arc<Services> {
        &self.all[0]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Services>> {
        self.all.iter()
    }

    pub fn get(&self, code: &str) -> Result<&Arc<Services>, CountyError> {
        self.all.iter().find(|c| c.county.code == code).ok_or_else(|| CountyError::Unknown(code.to_owned()))
    }

    /// The county a login names, or the only one when it names none.
    pub fn named(&self, code: Option<&str>) -> Result<&Arc<Services>, CountyError> {
        match code {
            Some(code) => self.get(code),
            None if self.all.len() == 1 => Ok(self.first()),
            None => Err(CountyError::Unnamed),
        }
    }

    /// The county of a token's `cty` claim (empty: issued before the claim existed, by the first),
    /// refused when the request names another (`asked`).
    pub fn of_token(&self, claim: &str, asked: Option<&str>) -> Result<&Arc<Services>, CountyError> {
        let county = if claim.is_empty() { self.first() } else { self.get(claim)? };
        match asked {
            Some(asked) if asked != county.county.code => {
                Err(CountyError::OtherCounty { token: county.county.code.clone(), asked: asked.to_owned() })
            }
            _ => Ok(county),
        }
    }

    /// The county of a refresh token and the secret it stores: `code.secret`, or (no code) the first.
    pub fn of_refresh<'a>(&self, token: &'a str) -> Result<(&Arc<Services>, &'a str), CountyError> {
        match token.split_once('.') {
            Some((code, secret)) => Ok((self.get(code)?, secret)),
            None => Ok((self.first(), token)),
        }
    }
}
