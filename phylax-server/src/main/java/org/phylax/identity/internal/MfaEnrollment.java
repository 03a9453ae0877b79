package org.phylax.identity.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.phylax.identity.RecoveryCodes;
import org.phylax.identity.TotpEnrollment;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * TOTP enrollment: a new secret is stored encrypted as pending; a valid code for it makes it the
 * account's second factor, marks that code's step as used, and replaces the recovery codes.
 */
final class MfaEnrollment {

  private final AccountStore store;
  private final TransactionTemplate tx;
  private final Totp totp;
  private final RecoveryCodeHashing recovery;
  private final Clock clock;

  MfaEnrollment(
      AccountStore store,
      TransactionTemplate tx,
      Totp totp,
      RecoveryCodeHashing recovery,
      Clock clock) {
    this.store = store;
    this.tx = tx;
    this.totp = totp;
    this.recovery = recovery;
    this.clock = clock;
  }

  TotpEnrollment begin(AccountRow row) {
    byte[] secret = totp.newSecret();
    store.setPendingTotp(row.id, store.encrypt(row.id, AccountStore.TOTP_PENDING, secret));
    String uri = Totp.uri(row.username, secret);
    return new TotpEnrollment(Totp.base32(secret), uri, Totp.qrPng(uri));
  }

  /**
   * Confirms the pending secret with {@code code}; returns the new recovery codes, or null when
   * there is no pending secret or the code does not match it.
   */
  RecoveryCodes confirm(UUID account, String code, String by) {
    Instant now = clock.instant();
    return tx.execute(
        status -> {
          AccountRow row = store.lockById(account).orElseThrow();
          if (row.totpPending == null) {
            return null;
          }
          byte[] secret = store.decrypt(row.id, AccountStore.TOTP_PENDING, row.totpPending);
          OptionalLong step = totp.matchingStep(secret, code == null ? null : code.strip(), now);
          if (step.isEmpty()) {
            return null;
          }
          row.totpSecret = store.encrypt(row.id, AccountStore.TOTP_SECRET, secret);
          row.totpPending = null;
          row.totpEnrolledAt = now;
          row.totpLastStep = step.getAsLong();
          store.saveVersion(row, "mfa-enrolled", now, by);
          List<String> codes = recovery.newCodes();
          List<byte[]> hashes = new ArrayList<>();
          for (String c : codes) {
            hashes.add(RecoveryCodeHashing.hash(row.id, RecoveryCodeHashing.normalize(c)));
          }
          store.replaceRecoveryCodes(row.id, hashes, now);
          return new RecoveryCodes(codes);
        });
  }
}
