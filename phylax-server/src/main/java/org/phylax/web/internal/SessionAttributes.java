package org.phylax.web.internal;

/** Names of the session and request attributes the sign-in pages and the session guard share. */
final class SessionAttributes {

  /** The signed-in account's id (a String). */
  static final String ACCOUNT = "phylax.web.account";

  /** The signed-in account's role keys, comma-separated, for audit events. */
  static final String ROLES = "phylax.web.roles";

  /** When the user signed in, epoch milliseconds (a Long): the start of the absolute lifetime. */
  static final String SIGNED_IN_AT = "phylax.web.signedInAt";

  /** When the account's status was last read, epoch milliseconds (a Long). */
  static final String CHECKED_AT = "phylax.web.checkedAt";

  /** The challenge id of a sign-in between its password and second-factor steps. */
  static final String CHALLENGE = "phylax.web.challenge";

  /** {@code mfa} or {@code enroll}: which second step the challenge is for. */
  static final String CHALLENGE_KIND = "phylax.web.challengeKind";

  /** Request attribute: this request's session was just ended by Phylax (value: why). */
  static final String ENDED = "phylax.web.sessionEnded";

  private SessionAttributes() {}
}
