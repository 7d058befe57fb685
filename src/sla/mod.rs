//! SLA rules, pure: ticket categories and limits, stage limits, pause rules
//! and the SLA clock. No I/O; every function takes its `now`.

mod deadline;
pub mod ladder;
mod lights;
mod policy;
mod words;

pub use deadline::{
    Due, DueExplanation, Pause, PauseFact, SlaClock, StageSla, StageSlaState, StageVisit, Standing,
};
pub use ladder::{Ladder, LadderConfig, LadderPolicy, Level, LevelDue, Offset};
pub use lights::{Light, Lights, LightsConfig, last_date_where};
pub use policy::{
    Category, CategoryConfig, CountedFrom, NamedConfig, PauseReason, PowerSources, SlaConfig,
    SlaPolicy, Stage, StageConfig, VoltageLevel,
};
pub use words::{CategoryKey, StageKey, WorkingDays};

#[cfg(test)]
mod tests;
