//! Case steps through the real admission and fold, delivered in any order: whatever order (and
//! however often) the steps of one case reach the server, it stores the same steps, refuses the
//! same ones, and shows the same case: stage, heads and conflict (docs/cases.md, "Convergence").
//!
//! The server here is a model: chain heads, the accepted log and the fold of its case events,
//! which is what the real server's writer keeps (`OfficeIndex`). Each device signs its own chain.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use sync_protocol::admit::{Admission, Authority, Caller, ChainHead, Checked, Stored, SubjectFacts, admit};
use sync_protocol::body::{
    Body, CaseClosed, CaseConflictResolved, CaseOpened, CaseReferred, CaseSource, CaseStopped, CaseVerified, Outcome, Role, Subject,
    Verdict,
};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::fold::{Case, Projection, StepStage};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use sync_protocol::wire::RejectReason;

const T0: u64 = 1_767_196_800_000;
/// The county section's device; devices 1 to 3 are inspectors' of T01.
const COUNTY: u8 = 9;

fn t01() -> UnitId {
    UnitId::new("T01").expect("unit")
}

fn device(n: u8) -> DeviceId {
    DeviceId(uuid::Uuid::from_u128(0xd0_0000 + u128::from(n)))
}

fn caller(n: u8) -> Caller {
    let (user, role) = if n == COUNTY { ("ca-1", Role::CountyAuditor) } else { ("ti-t01-1", Role::TownshipInspector) };
    Caller { user: UserId::new(format!("{user}-{n}")).expect("user"), device: device(n), role }
}

fn key(n: u8) -> DeviceKey {
    DeviceKey::from_secret([n; 32])
}

/// What the server holds: chain heads, every event it decided (accepted or kept as rejected),
/// and the fold of the accepted case events in arrival order (as the writer's cache does).
#[derive(Default)]
struct ModelServer {
    heads: HashMap<DeviceId, ChainHead>,
    decided: BTreeMap<EventId, (Hash, Option<RejectReason>)>,
    accepted: Vec<Event>,
    cases: Projection,
}

impl Authority for ModelServer {
    type Error = Infallible;
    fn was_assigned(&self, _: &UserId, _: &ZoneId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(false)
    }
    fn had_any_zone(&self, _: &UserId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(false)
    }
    fn patrol_author(&self, _: &EventId) -> Result<Option<UserId>, Infallible> {
        Ok(None)
    }
    fn case_township(&self, case: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(self.cases.cases.get(case).map(|c| c.township.clone()))
    }
    fn case_stage_after(&self, case: &EventId, step: &EventId) -> Result<StepStage, Infallible> {
        Ok(self.cases.cases.get(case).map_or(StepStage::NotHeld, |c| c.stage_after(step)))
    }
    fn subject(&self, _: &Subject) -> Result<Option<SubjectFacts>, Infallible> {
        Ok(None)
    }
    fn inspects(&self, inspector: &UserId, township: &UnitId) -> Result<bool, Infallible> {
        Ok(inspector.as_str().starts_with("ti-t01-") && *township == t01())
    }
}

impl ModelServer {
    fn push(&mut self, event: &Event) {
        let n = (0..=COUNTY).find(|n| device(*n) == event.device_id).expect("a known device");
        let caller = caller(n);
        let head = *self.heads.get(&event.device_id).unwrap_or(&ChainHead::EMPTY);
        let stored =
            |(id, (hash, rejected)): (&EventId, &(Hash, Option<RejectReason>))| Stored { id: *id, hash: *hash, rejected: *rejected };
        let by_id = self.decided.get_key_value(&event.id).map(stored);
        let checked = Checked::of(event, &key(n).public());
        let Ok(admission) = admit(&caller, head, event, checked, by_id, None, &*self);
        match &admission {
            Admission::Accept(_) => {
                self.decided.insert(event.id, (event.hash, None));
                self.accepted.push(event.clone());
                self.cases.apply(event);
            }
            Admission::Reject { reason, keep: true, .. } => {
                self.decided.insert(event.id, (event.hash, Some(*reason)));
            }
            Admission::Duplicate | Admission::AlreadyRejected { .. } => {}
            Admission::Reject { message, .. } => panic!("{} was refused outright: {message}", event.kind),
        }
        if admission.advances_chain() {
            self.heads.insert(event.device_id, ChainHead { seq: event.seq, hash: event.hash });
        }
    }

    /// The case as the server shows it: the sorted fold of its accepted log.
    fn case(&self) -> Case {
        Projection::fold(&self.accepted).cases.into_values().next().expect("the case is stored")
    }
}

/// One planned step: who makes it, what, and the earlier steps (by index) it is made on.
#[derive(Debug, Clone)]
struct Planned {
    device: u8,
    what: u8,
    on: Vec<usize>,
}

fn body_of(what: u8, case: EventId, on: &[EventId]) -> Body {
    let (township, after, note) = (t01(), on[0], "n".to_owned());
    match what {
        0 => Body::CaseVerified(CaseVerified { case, township, after, verdict: Verdict::Confirmed, note }),
        1 => Body::CaseClosed(CaseClosed { case, township, after, outcome: Outcome::Rectified, note }),
        2 => Body::CaseReferred(CaseReferred { case, township, after, note }),
        3 => Body::CaseStopped(CaseStopped { case, township, after, note }),
        4 => Body::CaseClosed(CaseClosed { case, township, after, outcome: Outcome::Penalised, note }),
        _ => Body::CaseConflictResolved(CaseConflictResolved { case, township, heads: on.to_vec(), keep: on[on.len() - 1], note }),
    }
}

/// Seals the plan: the opening by device 1, then each step on its device's chain.
fn seal(plan: &[Planned]) -> Vec<Event> {
    let mut chains: HashMap<u8, (u64, Hash)> = HashMap::new();
    let mut events: Vec<Event> = Vec::new();
    let mut add = |n: u8, body: Body, events: &mut Vec<Event>| {
        let (seq, prev) = chains.get(&n).copied().unwrap_or((0, Hash::ZERO));
        let caller = caller(n);
        let i = events.len() as u64;
        let draft = EventDraft {
            id: EventId(uuid::Uuid::from_u128(0xe0_0000 + u128::from(i))),
            device_id: caller.device,
            seq: seq + 1,
            hlc: Hlc::new(T0 + i * 1_000, 0),
            author: caller.user,
            kind: body.kind().into(),
            body: body.to_value(),
            prev,
        };
        let event = draft.seal(&key(n)).expect("seal");
        chains.insert(n, (seq + 1, event.hash));
        events.push(event);
    };
    let source = CaseSource::Finding(EventId(uuid::Uuid::from_u128(7)));
    add(1, Body::CaseOpened(CaseOpened { source, township: t01(), note: String::new() }), &mut events);
    for p in plan {
        let on: Vec<EventId> = p.on.iter().map(|j| events[*j].id).collect();
        let body = body_of(p.what, events[0].id, &on);
        add(p.device, body, &mut events);
    }
    events
}

/// Steps made by several inspectors' devices and the county's, each on a step made before it
/// (a concurrent sibling whenever two pick the same one); a resolution joins two earlier steps.
fn plan() -> impl Strategy<Value = Vec<Planned>> {
    let step = (prop::sample::select(vec![1u8, 2, 3, COUNTY]), 0u8..6, any::<prop::sample::Index>(), any::<prop::sample::Index>());
    prop::collection::vec(step, 1..12).prop_map(|steps| {
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (device, what, a, b))| {
                let (a, b) = (a.index(i + 1), b.index(i + 1));
                let on = if what >= 5 && a != b { vec![a.min(b), a.max(b)] } else { vec![a] };
                Planned { device, what: if on.len() == 1 { what.min(4) } else { what }, on }
            })
            .collect()
    })
}

/// A delivery order: any order in which each device's events come in its chain order and each
/// step after the steps it was made on (a device names only steps it holds: its own, or pulled
/// from the server), with duplicates of delivered events anywhere after them.
fn delivery(events: &[Event], seed: u64, duplicates: usize) -> Vec<Event> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let made_on = |e: &Event| -> Vec<EventId> {
        match Body::parse(&e.kind, &e.body).expect("body") {
            Body::CaseConflictResolved(b) => b.heads,
            b => b.to_value().get("after").and_then(|a| a.as_str()).map(|a| a.parse().expect("id")).into_iter().collect(),
        }
    };
    let mut delivered: Vec<Event> = Vec::new();
    let mut done: BTreeSet<EventId> = BTreeSet::new();
    let mut next_seq: HashMap<DeviceId, u64> = HashMap::new();
    while done.len() < events.len() {
        let ready: Vec<&Event> = events
            .iter()
            .filter(|e| !done.contains(&e.id))
            .filter(|e| next_seq.get(&e.device_id).copied().unwrap_or(1) == e.seq)
            .filter(|e| made_on(e).iter().all(|on| done.contains(on)))
            .collect();
        let e = ready[rng.gen_range(0..ready.len())].clone();
        next_seq.insert(e.device_id, e.seq + 1);
        done.insert(e.id);
        delivered.push(e);
    }
    for _ in 0..duplicates {
        let from = rng.gen_range(0..delivered.len());
        let at = rng.gen_range(from + 1..=delivered.len());
        let again = delivered[from].clone();
        delivered.insert(at, again);
    }
    delivered
}

fn serve(delivered: &[Event]) -> ModelServer {
    let mut server = ModelServer::default();
    for e in delivered {
        server.push(e);
    }
    server
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever the delivery order and duplicates, the server decides every step alike and
    /// shows the same case; the fold it keeps in arrival order agrees with the sorted fold.
    #[test]
    fn admission_and_the_case_do_not_depend_on_the_delivery_order(plan in plan(), seed in any::<u64>(), duplicates in 0usize..5) {
        let events = seal(&plan);
        let reference = serve(&events);
        let server = serve(&delivery(&events, seed, duplicates));
        prop_assert_eq!(&server.decided, &reference.decided);
        prop_assert_eq!(server.case(), reference.case());
        prop_assert_eq!(server.cases.cases.values().next(), Some(&reference.case()));
    }
}

/// The property is only as strong as its histories: they must hold refusals (an inspector's
/// closure of a referred case), accepted concurrent closure and referral, and conflicts.
#[test]
fn the_generated_histories_refuse_accept_and_conflict() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut refused, mut conflicts, mut closed_and_referred) = (0, 0, 0);
    for _ in 0..300 {
        let events = seal(&plan().new_tree(&mut runner).expect("plan").current());
        let server = serve(&events);
        refused += server.decided.values().filter(|(_, r)| *r == Some(RejectReason::NotAllowed)).count();
        let case = server.case();
        conflicts += usize::from(case.conflict.is_some());
        let stages: BTreeSet<_> = case.conflict.iter().flat_map(|c| &c.branches).map(|b| b.stage).collect();
        closed_and_referred += usize::from(stages.len() == 2 && stages.contains(&sync_protocol::fold::Stage::Referred));
    }
    assert!(
        refused >= 100 && conflicts >= 50 && closed_and_referred >= 15,
        "{refused} refused, {conflicts} conflicts, {closed_and_referred} closed against referred"
    );
}

/// The two orders: inspector B closes offline while inspector A refers on another
/// device. Either way both steps are kept and the case shows the conflict. An inspector may not
/// resolve a conflict that includes the referral; the county may.
#[test]
fn a_closure_and_a_referral_made_at_once_conflict_in_either_order() {
    // Device 2 verifies, then closes on its verification; device 3 refers on the same verification.
    let plan = vec![
        Planned { device: 2, what: 0, on: vec![0] },
        Planned { device: 2, what: 1, on: vec![1] },
        Planned { device: 3, what: 2, on: vec![1] },
        Planned { device: 2, what: 5, on: vec![2, 3] },
        Planned { device: COUNTY, what: 5, on: vec![2, 3] },
    ];
    let events = seal(&plan);
    let [opened, verified, closed, referred, by_inspector, by_county] = [0, 1, 2, 3, 4, 5].map(|i| events[i].clone());
    for order in [[&opened, &verified, &closed, &referred], [&opened, &verified, &referred, &closed]] {
        let mut server = serve(&order.map(Clone::clone));
        assert!(server.decided.values().all(|(_, r)| r.is_none()), "every step accepted: {:?}", server.decided);
        let case = server.case();
        let branches: Vec<_> = case.conflict.as_ref().expect("a conflict").branches.iter().map(|b| b.step).collect();
        assert_eq!(branches, vec![closed.id, referred.id]);

        server.push(&by_inspector);
        assert_eq!(server.decided[&by_inspector.id].1, Some(RejectReason::NotAllowed), "an inspector resolves it");
        assert!(server.case().conflict.is_some());
        server.push(&by_county);
        assert_eq!(server.decided[&by_county.id].1, None, "the county resolves it");
        let case = server.case();
        assert_eq!((case.stage, case.heads.clone()), (Some(sync_protocol::fold::Stage::Referred), vec![by_county.id]));
    }
}
