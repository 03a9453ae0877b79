package org.phylax.oauth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.stream.Collectors;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * Checks a bearer token's signature once, then remembers the result for that exact token; the
 * checks that can change (expiry, still issued and not revoked, account still active) run on every
 * request all the same.
 *
 * <p>An ES256 signature check costs about a millisecond of CPU in Java 17's P-256 code, and it was
 * most of the server's CPU under load, repeated on every request for the same few tokens. The cache
 * is keyed by the whole token text: only someone holding exactly the bytes that were verified gets
 * a hit, so it grants nothing a fresh check would not. Entries leave after the longest token
 * lifetime, or when the cache is full.
 */
final class VerifiedTokens implements JwtDecoder {

  private final JwtDecoder signatures;
  private final OAuth2TokenValidator<Jwt> validator;
  private final Cache<String, Jwt> verified;

  /**
   * @param signatures parses a token and checks its signature, and nothing else
   * @param validator what every use of a token must pass
   */
  VerifiedTokens(
      JwtDecoder signatures, OAuth2TokenValidator<Jwt> validator, int size, Duration keep) {
    this.signatures = signatures;
    this.validator = validator;
    this.verified = Caffeine.newBuilder().maximumSize(size).expireAfterWrite(keep).build();
  }

  @Override
  public Jwt decode(String token) {
    Jwt jwt = verified.getIfPresent(token);
    if (jwt == null) {
      jwt = signatures.decode(token);
      verified.put(token, jwt);
    }
    OAuth2TokenValidatorResult result = validator.validate(jwt);
    if (result.hasErrors()) {
      String description =
          result.getErrors().stream()
              .map(OAuth2Error::getDescription)
              .collect(Collectors.joining("; "));
      throw new JwtValidationException(
          "An error occurred while attempting to decode the Jwt: " + description,
          result.getErrors());
    }
    return jwt;
  }

  long size() {
    verified.cleanUp();
    return verified.estimatedSize();
  }
}
