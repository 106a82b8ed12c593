//! Deals on their way through the team's stages: the pipelines and their
//! stages, a deal's life (moves, win, loss and its re-approach), the board.

pub mod board;
pub mod deal;
pub mod moves;
pub mod stage;
