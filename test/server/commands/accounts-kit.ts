// Shared set-up of the account tests: a server without a lobby (its clock moved by hand when asked), stopped after the test.
import { startServer, type TestServer } from '../../helpers/irc.js';

export async function withServer(
  body: (srv: TestServer) => Promise<void>,
  overrides: Parameters<typeof startServer>[0] = {},
  clocked = false,
) {
  const srv = await startServer({ defaultChannel: '', ...overrides }, 'text', clocked);
  try {
    await body(srv);
  } finally {
    await srv.stop();
  }
}
