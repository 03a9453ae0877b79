package org.phylax.access;

import org.springframework.stereotype.Component;

/**
 * Permits for Phylax's own maintenance — re-encryption, imports, synthetic data — that act on every
 * patient's record without being anyone's access to it. Each names its task, so the audit log (when
 * it lands) can say which job touched a record.
 */
@Component
public class SystemAccess {

  public Permit forTask(String task) {
    if (task == null || !task.matches("[a-z][a-z0-9-]{1,40}")) {
      throw new IllegalArgumentException("a task name is lower-case letters, digits and dashes");
    }
    return new Permit(
        "system:" + task,
        Permit.Reason.SYSTEM,
        "maintenance",
        (java.util.Set<java.util.UUID>) null);
  }
}
