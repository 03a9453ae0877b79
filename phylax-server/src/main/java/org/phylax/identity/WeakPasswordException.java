package org.phylax.identity;

import java.util.List;

/** The password breaks the password policy; {@link #violations()} names every rule it breaks. */
public final class WeakPasswordException extends AccountException {

  private final List<String> violations;

  public WeakPasswordException(List<String> violations) {
    super("password refused: " + String.join("; ", violations));
    this.violations = List.copyOf(violations);
  }

  public List<String> violations() {
    return violations;
  }
}
