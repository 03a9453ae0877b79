package org.phylax.oauth;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The scopes Phylax understands, in the SMART App Launch style: {@code patient/…}, {@code user/…}
 * and {@code system/…} followed by a resource type or {@code *} and either the v1 suffix ({@code
 * .read}, {@code .write}, {@code .*}) or the v2 permissions ({@code .cruds} in that order, any
 * subset), plus {@code openid}, {@code fhirUser}, {@code launch/patient} and {@code
 * offline_access}.
 */
public final class SmartScopes {

  private static final Pattern RESOURCE_SCOPE =
      Pattern.compile(
          "(patient|user|system)/(\\*|[A-Z][A-Za-z]{1,63})\\.(read|write|\\*|c?r?u?d?s?)");

  private static final Set<String> OTHER =
      Set.of("openid", "fhirUser", "launch/patient", "offline_access");

  private SmartScopes() {}

  /** Whether {@code scope} is one Phylax understands. */
  public static boolean isValid(String scope) {
    if (scope == null) {
      return false;
    }
    if (OTHER.contains(scope)) {
      return true;
    }
    var m = RESOURCE_SCOPE.matcher(scope);
    return m.matches() && !m.group(3).isEmpty();
  }

  /**
   * Whether {@code scope} is a {@code system/…} scope, the only kind a backend service may hold.
   */
  public static boolean isSystem(String scope) {
    return isValid(scope) && scope.startsWith("system/");
  }
}
