//! The table of event kinds: every kind is declared here once, and the enum, parsing, validation,
//! kind names, versions, authorship and routing are generated from its row.
//!
//! # A row
//! ```text
//! Variant   "wire.name"   CONST_NAME   Authorship   [routes]   {versions}
//! ```
//! - **Variant**: the [`super::Body`] variant, and the name of its body struct (the struct of the
//!   current version), which has `fn validate(&self) -> Result<(), ValidationError>`.
//! - **wire name**: the envelope's `kind`; **CONST_NAME**: its constant in [`super::kind`].
//! - **Authorship** ([`super::Authorship`]): `Field` (a village officer's device), `Server`
//!   (reference data) or `Office` (case and tip records; every office body names its `township`).
//! - **routes**: the buckets it goes to besides the county, as rules applied in order by
//!   [`crate::scope::route`]: `zone` (the village of the body's `zone` and its township),
//!   `township` (the body's `township`), `villages` (each of the body's `villages` and its
//!   township), `tip` (the bucket of the tip it belongs to, `tip:<id>`, which follows the tip to
//!   whichever township it is assigned to: `scope::tip_scope`), `own` (the struct's own rule,
//!   `scope::OwnRoute`). `[]`: the county only.
//! - **versions**: the current version first, then every older one the build still reads. The
//!   current one is read into the struct itself, or into `as Type` (a wire form with its own
//!   rules) that converts `Into` it; an older one is read into its `as Type` and upgraded by `From`.
//!
//! # Adding a kind
//! Write its struct (with `validate`), add its row, then follow the compiler: the fold
//! (`Projection::apply`) and admission (`admit`) match every kind, and an `own` route needs its
//! `OwnRoute` impl. Add a golden file (`tests/golden/`, see `tests/tests/api/golden.rs`) for every
//! version; the golden test fails for a kind without one.

/// Calls `$then! { rows }` with the table; each consumer macro matches the row grammar above.
macro_rules! for_each_kind {
    ($then:ident) => {
        $then! {
            // variant            wire name                  const name               author  routes            versions
            PatrolRecorded        "patrol.recorded"          PATROL_RECORDED          Field   [zone]            {1}
            PatrolAmended         "patrol.amended"           PATROL_AMENDED           Field   [own]             {1}
            FindingReported       "finding.reported"         FINDING_REPORTED         Field   [zone]            {1}
            ZeroReportFiled       "zero_report.filed"        ZERO_REPORT_FILED        Field   [own]             {2 as ZeroReportFiledV2, 1 as ZeroReportFiledV1}
            UnitDefined           "unit.defined"             UNIT_DEFINED             Server  [own]             {2, 1 as UnitDefinedV1}
            ZoneDefined           "zone.defined"             ZONE_DEFINED             Server  [own]             {1}
            UserEnrolled          "user.enrolled"            USER_ENROLLED            Server  [own]             {2, 1 as UserEnrolledV1}
            AssignmentSet         "assignment.set"           ASSIGNMENT_SET           Server  [own]             {2, 1 as AssignmentSetV1}
            LicenceGranted        "licence.granted"          LICENCE_GRANTED          Server  [villages]        {1}
            LicenceExtended       "licence.extended"         LICENCE_EXTENDED         Server  [own]             {1}
            LicenceChanged        "licence.changed"          LICENCE_CHANGED          Server  [own]             {1}
            LicenceTransferred    "licence.transferred"      LICENCE_TRANSFERRED      Server  [own]             {1}
            LicenceCancelled      "licence.cancelled"        LICENCE_CANCELLED        Server  [own]             {1}
            CaseOpened            "case.opened"              CASE_OPENED              Office  [township]        {1}
            CaseVerified          "case.verified"            CASE_VERIFIED            Office  [township]        {1}
            CaseStopped           "case.stopped"             CASE_STOPPED             Office  [township]        {1}
            CaseActionTaken       "case.action_taken"        CASE_ACTION_TAKEN        Office  [township]        {1}
            CaseReferred          "case.referred"            CASE_REFERRED            Office  [township]        {1}
            CaseMarkedMajor       "case.marked_major"        CASE_MARKED_MAJOR        Office  [township]        {1}
            CaseClosed            "case.closed"              CASE_CLOSED              Office  [township]        {1}
            CaseConflictResolved  "case.conflict_resolved"   CASE_CONFLICT_RESOLVED   Office  [township]        {1}
            TipReceived           "tip.received"             TIP_RECEIVED             Office  [tip]             {1}
            TipInformant          "tip.informant"            TIP_INFORMANT            Office  [tip]             {1}
            TipAssigned           "tip.assigned"             TIP_ASSIGNED             Office  [township, own]   {1}
            TipAnswered           "tip.answered"             TIP_ANSWERED             Office  [township]        {1}
            FlagReviewed          "flag.reviewed"            FLAG_REVIEWED            Office  [township, own]   {1}
            AttachmentAdded       "attachment.added"         ATTACHMENT_ADDED         Field   [own]             {1}
            UserDisabled          "user.disabled"            USER_DISABLED            Server  []                {1}
            UserEnabled           "user.enabled"             USER_ENABLED             Server  []                {1}
            DeviceRevoked         "device.revoked"           DEVICE_REVOKED           Server  []                {1}
            UserChanged           "user.changed"             USER_CHANGED             Server  [own]             {1}
            PasswordChanged       "password.changed"         PASSWORD_CHANGED         Server  []                {1}
            PasswordReset         "password.reset"           PASSWORD_RESET           Server  []                {1}
        }
    };
}

pub(crate) use for_each_kind;
