-- Kizuna schema v12: members have roles (issue 15).
--
-- Sales and support share one file; what a member sees first and who is told
-- about a hand-off or a breached service level follows their roles. One
-- person may hold several (a small office's manager often sells too), so
-- they are a JSON array rather than one column per role. Everyone already in
-- the team sells until someone says otherwise in Settings → Members.
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '["sales"]';
