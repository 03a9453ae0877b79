package org.phylax.oauth.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.phylax.crypto.FieldCipher;
import org.phylax.crypto.FieldContext;
import org.phylax.keys.DataKeys;
import org.phylax.keys.KeyUsage;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ES256 key that signs access tokens. Made on first use and kept in {@code oauth_signing_key}
 * with its private part encrypted by the keyring's data key (associated data binds it to its kid),
 * so a database copy without the master key cannot mint tokens. Several nodes share one key: the
 * first to start makes it, under an advisory lock.
 */
@Component
class SigningKeys implements KeyUsage {

  /** Advisory lock key for making the first signing key ("phylaxK" in ASCII). */
  private static final long MAKE_LOCK = 0x7068796c61784bL;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final DataKeys keys;
  private volatile ECKey current;

  SigningKeys(JdbcTemplate jdbc, TransactionTemplate tx, DataKeys keys) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.keys = keys;
  }

  /** The key that signs new tokens (private part included). */
  ECKey current() {
    ECKey key = current;
    if (key == null) {
      synchronized (this) {
        if (current == null) {
          current = tx.execute(status -> loadOrMake());
        }
        key = current;
      }
    }
    return key;
  }

  /** The public keys a token may be verified with, as published at {@code /oauth2/jwks}. */
  JWKSet publicKeys() {
    return new JWKSet(current().toPublicJWK());
  }

  private ECKey loadOrMake() {
    jdbc.queryForObject("select pg_advisory_xact_lock(?)", Object.class, MAKE_LOCK);
    List<ECKey> existing =
        jdbc.query(
            "select kid, private_key from oauth_signing_key where retired_at is null"
                + " order by created_at desc limit 1",
            (rs, n) -> open(rs.getString(1), rs.getBytes(2)));
    if (!existing.isEmpty()) {
      return existing.get(0);
    }
    ECKey made = make();
    jdbc.update(
        "insert into oauth_signing_key (kid, public_jwk, private_key) values (?, ?, ?)",
        made.getKeyID(),
        made.toPublicJWK().toJSONString(),
        keys.fieldCipher()
            .encrypt(made.toJSONString().getBytes(StandardCharsets.UTF_8), place(made.getKeyID())));
    return made;
  }

  private ECKey open(String kid, byte[] sealed) {
    byte[] json = keys.fieldCipher().decrypt(sealed, place(kid));
    try {
      ECKey key = ECKey.parse(new String(json, StandardCharsets.UTF_8));
      if (!kid.equals(key.getKeyID())) {
        throw new IllegalStateException("token signing key " + kid + " holds another key id");
      }
      return key;
    } catch (ParseException e) {
      throw new IllegalStateException("token signing key " + kid + " cannot be read", e);
    }
  }

  private static ECKey make() {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyID(UUID.randomUUID().toString())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot make a token signing key", e);
    }
  }

  private static FieldContext place(String kid) {
    return FieldContext.of("OAuthSigningKey", kid, 1, "private");
  }

  /** Signing keys sealed under each data key, so that a data key in use is not retired. */
  @Override
  public Map<Integer, Long> valuesPerKey() {
    Map<Integer, Long> counts = new TreeMap<>();
    jdbc.query(
        "select private_key from oauth_signing_key",
        rs -> {
          counts.merge(FieldCipher.keyIdOf(rs.getBytes(1)), 1L, Long::sum);
        });
    return counts;
  }
}
