//! The thread that does the owner's due sequence steps on their desktop:
//! its own connection (a slow mail server never holds up the window), a
//! look every half minute and when poked after a write, so a step falls due
//! within a minute of its time while Kizuna runs — in the tray too.

use crate::sequences::engine::{self, MailSender, RunReport};
use crate::store::background::{self, Background, Stop};
use crate::store::changes::Source;
use crate::store::db::OpenOptions;
use crate::store::team_db::TeamDb;
use std::sync::Arc;
use std::time::Duration;

/// How often the due steps are looked at without a poke.
const EVERY: Duration = Duration::from_secs(30);

/// Which team (its file or server) and person the runner works for.
#[derive(Clone)]
pub struct Target {
    pub place: Source,
    pub opts: OpenOptions,
}

/// What the runner reports: a run's outcome, or why it could not run.
pub trait RunSink: Send + Sync + 'static {
    fn ran(&self, report: &RunReport);
    fn failed(&self, error: &crate::Error);
}

#[derive(Default)]
struct Control {
    target: Option<Target>,
    generation: u64,
    poked: bool,
    stop: bool,
}

impl Stop for Control {
    fn stop(&mut self) {
        self.stop = true;
    }
}

pub struct Runner {
    thread: Background<Control>,
}

impl Runner {
    pub fn start(sender: Arc<dyn MailSender + Send + Sync>, sink: Arc<dyn RunSink>) -> Runner {
        let thread = Background::spawn("kizuna-sequences", Control::default(), move |shared| {
            run(&shared, sender.as_ref(), sink.as_ref())
        });
        Runner { thread }
    }

    pub fn attach(&self, target: Option<Target>) {
        self.thread.shared().update(|c| {
            c.target = target;
            c.generation += 1;
        });
    }

    /// Something was written: look now.
    pub fn poke(&self) {
        self.thread.shared().update(|c| c.poked = true);
    }
}

fn run(shared: &background::Shared<Control>, sender: &(dyn MailSender + Send + Sync), sink: &dyn RunSink) {
    let mut current: Option<(u64, Option<TeamDb>)> = None;
    loop {
        let (generation, target) = {
            let mut c = shared.lock();
            if c.stop {
                return;
            }
            c.poked = false;
            (c.generation, c.target.clone())
        };
        if !current.as_ref().is_some_and(|(g, _)| *g == generation) {
            current = match target {
                // None inside: the server's login is not this profile's
                // member, whose steps are then nobody's here.
                Some(t) => match TeamDb::open_at(&t.place, t.opts.clone()) {
                    Ok(db) => Some((generation, db)),
                    Err(e) => {
                        sink.failed(&e);
                        None
                    }
                },
                None => None,
            };
        }
        if let Some((_, Some(db))) = current.as_mut() {
            if db.read_only().is_none() && db.member().is_some() {
                match engine::run_due(db, sender) {
                    Ok(report) => sink.ran(&report),
                    Err(e) => sink.failed(&e),
                }
            }
        }
        let c = shared.lock();
        if c.stop || c.poked || c.generation != generation {
            continue;
        }
        let _ = shared.wake.wait_timeout(c, EVERY);
    }
}
