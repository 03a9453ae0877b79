package org.phylax.oauth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** The bearer-token decoder checks each token's signature once and its standing every time. */
class VerifiedTokensTests {

  private final ECKey key;
  private final AtomicInteger signatureChecks = new AtomicInteger();
  private final AtomicBoolean revoked = new AtomicBoolean();
  private final VerifiedTokens tokens;

  VerifiedTokensTests() throws Exception {
    key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    NimbusJwtDecoder nimbus =
        NimbusJwtDecoder.withJwkSource(
                new com.nimbusds.jose.jwk.source.ImmutableJWKSet<
                    com.nimbusds.jose.proc.SecurityContext>(
                    new com.nimbusds.jose.jwk.JWKSet(key.toPublicJWK())))
            .jwsAlgorithm(SignatureAlgorithm.ES256)
            .build();
    nimbus.setJwtValidator(jwt -> OAuth2TokenValidatorResult.success());
    JwtDecoder counting =
        token -> {
          signatureChecks.incrementAndGet();
          return nimbus.decode(token);
        };
    tokens =
        new VerifiedTokens(
            counting,
            jwt ->
                revoked.get()
                    ? OAuth2TokenValidatorResult.failure(
                        new OAuth2Error("invalid_token", "The token was revoked.", null))
                    : OAuth2TokenValidatorResult.success(),
            100,
            Duration.ofMinutes(5));
  }

  private String sign(String subject) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(),
            new JWTClaimsSet.Builder()
                .subject(subject)
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  @Test
  void sameTokenTwiceThenSignatureCheckedOnceAndSameClaims() throws Exception {
    String token = sign("svc-one");
    Jwt first = tokens.decode(token);
    Jwt second = tokens.decode(token);
    assertThat(signatureChecks).hasValue(1);
    assertThat(second.getSubject()).isEqualTo("svc-one").isEqualTo(first.getSubject());
    tokens.decode(sign("svc-two"));
    assertThat(signatureChecks).hasValue(2);
    assertThat(tokens.size()).isEqualTo(2);
  }

  @Test
  void tokenWithAlteredClaimsThenRefusedEvenAfterTheGenuineOneWasSeen() throws Exception {
    String token = sign("svc-one");
    tokens.decode(token);
    String[] parts = token.split("\\.");
    String forged =
        parts[0]
            + "."
            + java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    "{\"sub\":\"svc-admin\",\"exp\":4102444800}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8))
            + "."
            + parts[2];
    assertThatThrownBy(() -> tokens.decode(forged)).isInstanceOf(BadJwtException.class);
    assertThat(tokens.size()).isEqualTo(1);
  }

  @Test
  void rememberedTokenThenStandingStillCheckedOnEveryUse() throws Exception {
    String token = sign("svc-one");
    tokens.decode(token);
    revoked.set(true);
    assertThatThrownBy(() -> tokens.decode(token))
        .isInstanceOf(JwtValidationException.class)
        .hasMessageContaining("The token was revoked.");
    assertThat(signatureChecks).hasValue(1);
  }
}
