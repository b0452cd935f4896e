//! classic (wip)
