// Model test of privacy on one server: random logins, joins, parts, kicks, bans, modes, invites, nick changes, quits, messages (multiline too), redactions, renames, listings and history queries, every line each client gets checked against the model.
//
// The runs and what is checked after each step: test/helpers/model-run.ts. The same model runs
// against two cluster nodes in test/cluster/privacy.model.test.ts.
import { test } from 'node:test';
import { startServer } from '../helpers/irc.js';
import { REPLAY } from '../helpers/model-actions.js';
import { checkModel } from '../helpers/model-run.js';

test('model: every delivery, numeric and history answer reaches exactly whom the model says', async () => {
  await checkModel(
    async () => [await startServer({ defaultChannel: '', historyOnJoin: REPLAY, flood: null })],
    30,
  );
});
