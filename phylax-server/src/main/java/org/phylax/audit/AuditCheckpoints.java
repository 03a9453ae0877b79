package org.phylax.audit;

import java.util.Optional;

/**
 * Signed checkpoints of the audit log: the RFC 9162 Merkle root over every event hash, signed with
 * the keyring's Ed25519 audit key, stored, and written to {@code PHYLAX_AUDIT_WITNESS_DIR} when
 * set. Made every {@code phylax.audit.checkpoint-every} events (1,000) or {@code
 * phylax.audit.checkpoint-interval} (60 s), whichever comes first, and on demand.
 */
public interface AuditCheckpoints {

  /** Signs a checkpoint over the whole log now; empty when the log is empty or already covered. */
  Optional<Made> checkpointNow();

  /** A checkpoint just made: its size, and the signed note as stored and witnessed. */
  record Made(long size, String keyId, String note) {}
}
