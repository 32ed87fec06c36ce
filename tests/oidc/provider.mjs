// A real OpenID Connect provider for the sign-in test (oidc-provider, certified by the OpenID
// Foundation), on 127.0.0.1 only. Its development login page accepts any login (the login becomes the
// subject and the e-mail); the test decides which e-mail the dashboard knows.
//   PORT=… REDIRECT_URI=http://127.0.0.1:…/oauth2callback node provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'cchc-dashboard',
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    post_logout_redirect_uris: [process.env.REDIRECT_URI.replace('/oauth2callback', '/')],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: id, email_verified: true, name: id }),
  }),
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  cookies: { keys: [process.env.COOKIE_KEY || 'test-only-cookie-key'] },
});
provider.listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
