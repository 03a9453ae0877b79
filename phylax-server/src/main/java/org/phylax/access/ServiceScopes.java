package org.phylax.access;

import java.util.Locale;
import java.util.Set;

/**
 * What a backend service's SMART scopes allow: {@code system/<Type|*>.<permissions>}, with the
 * permissions of SMART v1 ({@code read}, {@code write}, {@code *}) or v2 (letters of {@code
 * cruds}).
 */
final class ServiceScopes {

  private ServiceScopes() {}

  static boolean allow(Set<String> scopes, String resourceType, AccessAction action) {
    for (String scope : scopes) {
      if (!scope.startsWith("system/")) {
        continue;
      }
      String rest = scope.substring("system/".length());
      int dot = rest.lastIndexOf('.');
      if (dot <= 0) {
        continue;
      }
      String type = rest.substring(0, dot);
      String permissions = rest.substring(dot + 1).toLowerCase(Locale.ROOT);
      if ((type.equals("*") || type.equals(resourceType)) && covers(permissions, action)) {
        return true;
      }
    }
    return false;
  }

  private static boolean covers(String permissions, AccessAction action) {
    switch (permissions) {
      case "*":
        return true;
      case "read":
        return action == AccessAction.READ
            || action == AccessAction.SEARCH
            || action == AccessAction.EXPORT;
      case "write":
        return action.writes();
      default:
        break;
    }
    if (!permissions.matches("c?r?u?d?s?")) {
      return false;
    }
    char needed =
        switch (action) {
          case CREATE -> 'c';
          case READ, EXPORT -> 'r';
          case UPDATE -> 'u';
          case DELETE -> 'd';
          case SEARCH -> 's';
        };
    return permissions.indexOf(needed) >= 0;
  }
}
