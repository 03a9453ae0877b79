package org.phylax.identity;

/**
 * Where a request came from, for the audit log: the client's IP address, its user agent and the
 * request id. Any part may be null when unknown (a CLI has no IP address).
 */
public record ClientInfo(String ip, String userAgent, String requestId) {

  /** No network client: the command line, or Phylax itself. */
  public static ClientInfo none() {
    return new ClientInfo(null, null, null);
  }
}
