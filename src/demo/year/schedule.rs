//! One ticket: what happens to it, as working-day positions after its
//! acceptance (whole part: working days after it; fraction: office hours).

use super::Ctx;
use super::coordination::{Coordination, plan_coordination};
use super::profile::Profile;
use super::rng::Rng;
use crate::coordination::Answer;
use crate::sla::{CountedFrom, SlaPolicy, VoltageLevel};
use crate::tickets::actions::Action;

/// Shares of tickets.
const P_CANCEL: f64 = 0.015;
const P_PAUSE: f64 = 0.12;
/// Share of limited stage visits left after their limit.
const P_STAGE_LATE: f64 = 0.06;

pub(super) enum Step {
    /// A change of the ticket, applied as the service applies it.
    Act(Action),
    File,
    Answer(usize, Answer),
}

fn advance_step(policy: &SlaPolicy, stage: usize) -> Step {
    Step::Act(Action::Advance {
        to: Some(policy.stages[stage].key.to_string()),
        note: None,
    })
}

fn close_step() -> Step {
    Step::Act(Action::Close {
        note: Some("已送电".into()),
    })
}

/// Pausing at `start` for `reason`, resuming at `stop`.
fn pause_steps(policy: &SlaPolicy, (start, stop, reason): (f64, f64, usize)) -> [(f64, Step); 2] {
    let reason = Some(policy.pause_reasons[reason].key.clone());
    [
        (start, Step::Act(Action::Pause { reason, note: None })),
        (stop, Step::Act(Action::Resume { note: None })),
    ]
}

fn cancel_step() -> Step {
    Step::Act(Action::Cancel {
        note: Some("客户撤回用电申请".into()),
    })
}

pub(super) struct Schedule {
    pub(super) steps: Vec<(f64, Step)>,
    pub(super) coordination: Option<Coordination>,
}

pub(super) fn schedule(ctx: &Ctx, p: &Profile, limit: u32, rng: &mut Rng) -> Schedule {
    let policy = &ctx.app.policy;
    let visited = visited_stages(policy, p.important);
    let (mut leave, tail) = leave_positions(policy, &visited, p, limit, rng);
    let pause = plan_pause(policy, &visited, tail, p.voltage, &mut leave, rng);
    let end = leave.last().copied().unwrap_or(p.p0);
    let cancel = rng
        .chance(P_CANCEL)
        .then(|| p.p0 + rng.between(0.05, 0.95) * (end - p.p0));
    let mut steps: Vec<(f64, Step)> = leave
        .iter()
        .enumerate()
        .map(|(k, pos)| match visited.get(k + 1) {
            Some(next) => (*pos, advance_step(policy, *next)),
            None => (*pos, close_step()),
        })
        .collect();
    if let Some(pause) = pause {
        steps.extend(pause_steps(policy, pause));
    }
    let coordination = plan_coordination(ctx, p.p0, cancel.unwrap_or(end), &mut steps, rng);
    if let Some(c) = cancel {
        // Departments may still answer; the ticket does nothing more.
        steps.retain(|(pos, s)| *pos < c || matches!(s, Step::Answer(..)));
        steps.push((c, cancel_step()));
    }
    steps.sort_by(|a, b| a.0.total_cmp(&b.0));
    Schedule {
        steps,
        coordination,
    }
}

/// The stages a ticket goes through: skippable ones only for important customers.
fn visited_stages(policy: &SlaPolicy, important: bool) -> Vec<usize> {
    let last = policy.stages.len() - 1;
    (0..policy.stages.len())
        .filter(|&i| important || i == 0 || i == last || !policy.stages[i].skippable)
        .collect()
}

/// The limit of a stage counted from the acceptance day, if it has one.
fn acceptance_limit(policy: &SlaPolicy, stage: usize, v: VoltageLevel) -> Option<u32> {
    let s = &policy.stages[stage];
    (s.counted_from == CountedFrom::Acceptance)
        .then(|| s.limit_for(v))
        .flatten()
}

/// When each visited stage is left (the last: closed), and where the tail
/// begins: the stages after the last one limited from acceptance.
fn leave_positions(
    policy: &SlaPolicy,
    visited: &[usize],
    p: &Profile,
    limit: u32,
    rng: &mut Rng,
) -> (Vec<f64>, usize) {
    let mut leave = vec![0.0; visited.len()];
    let (mut pos, mut from) = (p.p0, 0);
    // A stage limited from acceptance fixes when it is left; the stages
    // before it are left at random moments before that.
    for k in 0..visited.len() {
        let Some(l) = acceptance_limit(policy, visited[k], p.voltage) else {
            continue;
        };
        let at = anchored_leave(l, pos + 0.05 * (k - from + 1) as f64, rng);
        spread(&mut leave[from..k], pos, at, rng);
        leave[k] = at;
        (pos, from) = (at, k + 1);
    }
    let target = if p.late {
        f64::from(limit) + rng.between(1.0, 12.0)
    } else {
        f64::from(limit) * rng.between(0.45, 0.92)
    };
    let durations = tail_durations(policy, &visited[from..], p.voltage, target - pos, rng);
    for (k, d) in durations.into_iter().enumerate() {
        pos += d;
        leave[from + k] = pos;
    }
    (leave, from)
}

/// Leaving a stage limited to `limit` working days from acceptance: by
/// the end of that day, or a few days late now and then.
fn anchored_leave(limit: u32, earliest: f64, rng: &mut Rng) -> f64 {
    let l = f64::from(limit);
    if rng.chance(P_STAGE_LATE) {
        (l + 1.0 + rng.between(0.0, 3.0)).max(earliest)
    } else if earliest < l + 0.95 {
        rng.between(earliest, l + 0.95)
    } else {
        earliest
    }
}

/// Sorted random positions in `(from, to)` for `slots`.
fn spread(slots: &mut [f64], from: f64, to: f64, rng: &mut Rng) {
    for s in slots.iter_mut() {
        *s = rng.between(from, to);
    }
    slots.sort_by(f64::total_cmp);
}

/// How long each tail stage lasts: a stage limited from its start takes
/// its own time (mostly within it); the others share what is left of
/// `budget` (at least a few hours each).
fn tail_durations(
    policy: &SlaPolicy,
    stages: &[usize],
    v: VoltageLevel,
    budget: f64,
    rng: &mut Rng,
) -> Vec<f64> {
    let own: Vec<Option<f64>> = stages
        .iter()
        .map(|&i| policy.stages[i].limit_for(v).map(|l| own_duration(l, rng)))
        .collect();
    let free = own.iter().filter(|d| d.is_none()).count();
    let weights: Vec<f64> = (0..free).map(|_| rng.between(0.6, 1.4)).collect();
    let sum: f64 = weights.iter().sum();
    let taken: f64 = own.iter().flatten().sum();
    let shared = (budget - taken).max(0.4 * free as f64);
    let mut w = weights.into_iter();
    own.into_iter()
        .map(|d| d.unwrap_or_else(|| shared * w.next().unwrap_or(1.0) / sum))
        .map(|d| d.max(0.05))
        .collect()
}

fn own_duration(limit: u32, rng: &mut Rng) -> f64 {
    let l = f64::from(limit);
    if rng.chance(P_STAGE_LATE) {
        l + 1.0 + rng.between(0.0, 4.0)
    } else {
        rng.between(0.3, (l - 0.1).max(0.35))
    }
}

/// One pause in a tail stage without a limit (the customer designing or
/// building), a few working days to weeks; later steps move by its length.
fn plan_pause(
    policy: &SlaPolicy,
    visited: &[usize],
    tail: usize,
    v: VoltageLevel,
    leave: &mut [f64],
    rng: &mut Rng,
) -> Option<(f64, f64, usize)> {
    if !rng.chance(P_PAUSE) || policy.pause_reasons.is_empty() {
        return None;
    }
    let candidates: Vec<usize> = (tail.max(1)..visited.len())
        .filter(|&k| policy.stages[visited[k]].limit_for(v).is_none())
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let k = *rng.pick(&candidates);
    let enter = leave[k - 1];
    let start = enter + (leave[k] - enter) * rng.between(0.2, 0.7);
    let length = (3 + rng.below(26)) as f64 + rng.between(-0.3, 0.3);
    for l in &mut leave[k..] {
        *l += length;
    }
    let reason = pause_reason(policy, policy.stages[visited[k]].key.as_str(), rng);
    Some((start, start + length, reason))
}

/// The reason fitting the stage (design, construction, documents), or now
/// and then any configured one.
fn pause_reason(policy: &SlaPolicy, stage: &str, rng: &mut Rng) -> usize {
    let fitting = if stage.contains("design") {
        "customer_design"
    } else if stage.contains("inspection") || stage.contains("completion") {
        "customer_construction"
    } else {
        "customer_documents"
    };
    let found = policy.pause_reasons.iter().position(|r| r.key == fitting);
    match found {
        Some(i) if !rng.chance(0.25) => i,
        _ => rng.below(policy.pause_reasons.len()),
    }
}
