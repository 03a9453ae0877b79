package org.phylax.web.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Base64;
import org.phylax.identity.AccountException;
import org.phylax.identity.SignIn;
import org.phylax.identity.SignInResult;
import org.phylax.identity.TotpEnrollment;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The sign-in pages: {@code /login} (username and password), then {@code /login/mfa} (a TOTP or
 * recovery code) or, for a workforce user without an authenticator, {@code /login/enroll} (QR code,
 * confirm with a code, then the recovery codes once). The challenge id between the steps stays in
 * the server-side session. Refusals never say whether a username exists.
 */
@Controller
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class LoginController {

  static final String BAD_CREDENTIALS = "The username or password is not correct.";
  static final String LOCKED =
      "This account is locked for a while after too many failed sign-in attempts. Try again"
          + " later, or ask your administrator to unlock it.";
  static final String DISABLED = "This account is disabled. Contact your administrator.";
  static final String BAD_CODE =
      "That code is not correct. Enter the current code from your authenticator app, or one of"
          + " your recovery codes.";
  static final String BAD_ENROLL_CODE =
      "That code does not match. Enter the current 6-digit code that your authenticator app shows"
          + " for Phylax.";
  static final String EXPIRED = "The sign-in took too long. Please start again.";
  static final String SESSION_ENDED = "Your session has ended. Please sign in again.";
  static final String SIGNED_OUT = "You have signed out.";

  private static final String MFA = "mfa";
  private static final String ENROLL = "enroll";

  private final SignIn signIn;
  private final SignInCompletion completion;

  LoginController(SignIn signIn, SignInCompletion completion) {
    this.signIn = signIn;
    this.completion = completion;
  }

  @GetMapping("/login")
  String login(HttpServletRequest request, Model model) {
    if (signedIn()) {
      return "redirect:/";
    }
    if (request.getParameter("signed-out") != null) {
      model.addAttribute("notice", SIGNED_OUT);
    } else if (request.getParameter("expired") != null) {
      model.addAttribute("notice", SESSION_ENDED);
    }
    return "login";
  }

  @PostMapping("/login")
  String password(
      @RequestParam(defaultValue = "") String username,
      @RequestParam(defaultValue = "") String password,
      HttpServletRequest request,
      HttpServletResponse response,
      Model model) {
    SignInResult result = signIn.checkPassword(username, password, SessionAudit.clientOf(request));
    return switch (result.outcome()) {
      case MFA_REQUIRED -> {
        completion.challenge(result.challenge().orElseThrow(), MFA, request);
        yield "redirect:/login/mfa";
      }
      case MFA_ENROLLMENT_REQUIRED -> {
        completion.challenge(result.challenge().orElseThrow(), ENROLL, request);
        yield "redirect:/login/enroll";
      }
      case SIGNED_IN -> {
        completion.complete(result.account().orElseThrow(), request, response);
        yield "redirect:" + completion.target(request, response);
      }
      default -> refused(result.outcome(), username, model);
    };
  }

  @GetMapping("/login/mfa")
  String mfaPage(HttpServletRequest request) {
    return challenge(request, MFA) == null ? "redirect:/login" : "login-mfa";
  }

  @PostMapping("/login/mfa")
  String mfa(
      @RequestParam(defaultValue = "") String code,
      HttpServletRequest request,
      HttpServletResponse response,
      Model model) {
    String challenge = challenge(request, MFA);
    if (challenge == null) {
      return signedIn() ? "redirect:/" : expired(model);
    }
    SignInResult result = signIn.checkSecondFactor(challenge, code, SessionAudit.clientOf(request));
    return switch (result.outcome()) {
      case SIGNED_IN -> {
        completion.complete(result.account().orElseThrow(), request, response);
        yield "redirect:" + completion.target(request, response);
      }
      case BAD_CREDENTIALS -> {
        model.addAttribute("error", BAD_CODE);
        yield "login-mfa";
      }
      default -> {
        forgetChallenge(request);
        yield refused(result.outcome(), null, model);
      }
    };
  }

  @GetMapping("/login/enroll")
  String enrollPage(HttpServletRequest request, Model model) {
    String challenge = challenge(request, ENROLL);
    if (challenge == null) {
      return "redirect:/login";
    }
    TotpEnrollment enrollment;
    try {
      enrollment = signIn.beginEnrollment(challenge);
    } catch (AccountException e) {
      forgetChallenge(request);
      return expired(model);
    }
    // Shown to its user only, in this response; never stored in the session or logged.
    model.addAttribute(
        "qr", "data:image/png;base64," + Base64.getEncoder().encodeToString(enrollment.qrPng()));
    model.addAttribute("secret", enrollment.secret());
    return "login-enroll";
  }

  @PostMapping("/login/enroll")
  String enroll(
      @RequestParam(defaultValue = "") String code,
      HttpServletRequest request,
      HttpServletResponse response,
      Model model) {
    String challenge = challenge(request, ENROLL);
    if (challenge == null) {
      return signedIn() ? "redirect:/" : expired(model);
    }
    SignInResult result = signIn.confirmEnrollment(challenge, code, SessionAudit.clientOf(request));
    return switch (result.outcome()) {
      case SIGNED_IN -> {
        completion.complete(result.account().orElseThrow(), request, response);
        model.addAttribute("codes", result.recoveryCodes().orElseThrow().codes());
        yield "recovery-codes";
      }
      case BAD_CREDENTIALS -> {
        // The pending secret stays as it was: the user already scanned it and tries another code.
        model.addAttribute("error", BAD_ENROLL_CODE);
        yield "login-enroll";
      }
      default -> {
        forgetChallenge(request);
        yield refused(result.outcome(), null, model);
      }
    };
  }

  /** After the recovery codes: on to the page first asked for, or home. */
  @GetMapping("/login/continue")
  String proceed(HttpServletRequest request, HttpServletResponse response) {
    return signedIn() ? "redirect:" + completion.target(request, response) : "redirect:/login";
  }

  private String refused(SignInResult.Outcome outcome, String username, Model model) {
    model.addAttribute(
        "error",
        switch (outcome) {
          case LOCKED -> LOCKED;
          case DISABLED -> DISABLED;
          case EXPIRED -> EXPIRED;
          default -> BAD_CREDENTIALS;
        });
    if (username != null && username.length() <= 64) {
      model.addAttribute("username", username);
    }
    return "login";
  }

  private String expired(Model model) {
    model.addAttribute("error", EXPIRED);
    return "login";
  }

  private static String challenge(HttpServletRequest request, String kind) {
    HttpSession session = request.getSession(false);
    if (session == null || !kind.equals(session.getAttribute(SessionAttributes.CHALLENGE_KIND))) {
      return null;
    }
    return (String) session.getAttribute(SessionAttributes.CHALLENGE);
  }

  private static void forgetChallenge(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.removeAttribute(SessionAttributes.CHALLENGE);
      session.removeAttribute(SessionAttributes.CHALLENGE_KIND);
    }
  }

  private static boolean signedIn() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    return authentication != null
        && authentication.isAuthenticated()
        && !(authentication instanceof AnonymousAuthenticationToken);
  }
}
