package org.phylax.oauth;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.phylax.identity.ClientInfo;
import org.phylax.platform.RequestLog;
import org.slf4j.MDC;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Who calls an {@code /api} endpoint, as the verified bearer token says: the user's account (absent
 * for a backend client's token), role keys, the patient of a patient user, the OAuth client, and
 * where the request came from. Endpoints use it to decide by role and to fill the audit event with
 * the same conventions as the rest of Phylax: actor = account id, role = role keys, sorted and
 * comma-separated.
 */
public final class ApiCaller {

  private static final int MAX_USER_AGENT = 512;

  private final UUID accountId;
  private final Set<String> roles;
  private final UUID patientId;
  private final String clientId;
  private final ClientInfo client;

  private ApiCaller(
      UUID accountId, Set<String> roles, UUID patientId, String clientId, ClientInfo client) {
    this.accountId = accountId;
    this.roles = Set.copyOf(roles);
    this.patientId = patientId;
    this.clientId = clientId;
    this.client = client;
  }

  /**
   * Reads the caller from a token the bearer-token chain has verified. A claim that is not what
   * Phylax issues (an account or patient that is not a UUID) counts as absent, so the caller is
   * refused by the role check rather than trusted.
   */
  public static ApiCaller of(Jwt token, HttpServletRequest request) {
    UUID account = uuid(token.getClaimAsString("phylax_account"));
    List<String> roleClaim = account == null ? null : token.getClaimAsStringList("roles");
    UUID patient = uuid(token.getClaimAsString("patient"));
    String agent = request.getHeader("User-Agent");
    if (agent != null && agent.length() > MAX_USER_AGENT) {
      agent = agent.substring(0, MAX_USER_AGENT);
    }
    if (account != null) {
      request.setAttribute(RequestLog.USER_ID_ATTRIBUTE, account.toString());
    }
    return new ApiCaller(
        account,
        roleClaim == null ? Set.of() : new TreeSet<>(roleClaim),
        patient,
        token.getClaimAsString("client_id"),
        new ClientInfo(request.getRemoteAddr(), agent, MDC.get(RequestLog.REQUEST_ID_MDC_KEY)));
  }

  private static UUID uuid(String text) {
    if (text == null) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The user's account; empty for a backend client's token. */
  public Optional<UUID> accountId() {
    return Optional.ofNullable(accountId);
  }

  /** Whether the token is a user's and carries this role key ({@code compliance_officer}). */
  public boolean hasRole(String roleKey) {
    return accountId != null && roles.contains(roleKey);
  }

  public Set<String> roles() {
    return roles;
  }

  /** The role keys as the audit log names them: sorted, comma-separated. */
  public String roleKeys() {
    return String.join(",", new TreeSet<>(roles));
  }

  /** The patient a patient user's token stands for. */
  public Optional<UUID> patientId() {
    return Optional.ofNullable(patientId);
  }

  public String clientId() {
    return clientId;
  }

  /** The audit log's actor: the account id, or null for a backend client (then see client id). */
  public String actor() {
    return accountId == null ? null : accountId.toString();
  }

  public ClientInfo client() {
    return client;
  }

  @Override
  public String toString() {
    return "ApiCaller[account=" + accountId + ", roles=" + roleKeys() + "]";
  }
}
