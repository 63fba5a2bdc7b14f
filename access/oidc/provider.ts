import * as client from 'openid-client';
import type { OidcSettings } from './types.ts';

/**
 * The identity provider through openid-client, which does the protocol's checks: state, PKCE, and the
 * ID token's signature, issuer, audience, expiry and nonce (OpenID Connect Core 1.0 §3.1.3.7).
 * Kerma only ever sees claims that passed them.
 */
export interface ProviderClient {
  /** The provider's authorization URL for one flow. */
  authorizationUrl(checks: { state: string; nonce: string; codeChallenge: string }): Promise<string>;
  /** Exchanges the callback's code and returns the verified claims (ID token, then UserInfo's additions). */
  finish(
    callbackQuery: string,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<Record<string, unknown>>;
}

/** A provider that does not answer within this long fails the request instead of holding it open. */
const PROVIDER_TIMEOUT_S = 10;

export function providerClient(settings: OidcSettings): ProviderClient {
  let discovered: Promise<client.Configuration> | undefined;
  // Discovered on first use, not at start: a provider that is down must not stop Kerma (password
  // sign-in and the DICOM listener go on), and a failed discovery is retried by the next sign-in.
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        client.ClientSecretBasic(settings.clientSecret),
        {
          timeout: PROVIDER_TIMEOUT_S,
          ...(settings.allowInsecureHttp ? { execute: [client.allowInsecureRequests] } : {}),
        },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  return {
    async authorizationUrl(checks) {
      const url = client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: checks.codeChallenge,
        code_challenge_method: 'S256',
      });
      return url.href;
    },

    async finish(callbackQuery, checks) {
      const config = await configuration();
      const callback = new URL(settings.redirectUri);
      callback.search = callbackQuery;
      const tokens = await client.authorizationCodeGrant(config, callback, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('the provider returned no ID token');
      // Providers differ in where role claims go: Entra puts them in the ID token, CIS2 and
      // conforming providers in UserInfo. The ID token's (signed) claims win where both have one.
      const userInfo = config.serverMetadata().userinfo_endpoint
        ? await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)
        : {};
      return { ...userInfo, ...idClaims };
    },
  };
}
