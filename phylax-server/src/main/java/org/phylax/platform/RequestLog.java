package org.phylax.platform;

/**
 * The contract of the request log: one line per HTTP request with its request id, method, path
 * (never the query string), status, latency and, once signed in, the user id. Code that
 * authenticates a request stores the user's id (never a name) under {@link #USER_ID_ATTRIBUTE}.
 */
public final class RequestLog {

  /** Request attribute holding the authenticated user's id, for the request log line. */
  public static final String USER_ID_ATTRIBUTE = "org.phylax.platform.userId";

  /** Header that carries the request id, in and out. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  /** MDC key of the request id, present on every log line written while serving a request. */
  public static final String REQUEST_ID_MDC_KEY = "requestId";

  private RequestLog() {}
}
