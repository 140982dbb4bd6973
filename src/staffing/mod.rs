//! Staffing: from forecast contacts to agents required.
pub mod erlang;
pub mod requirements;

pub use requirements::{
    deferred_work, requirements, requirements_for, DeferredWork, Requirements, RobustPlanning,
};
