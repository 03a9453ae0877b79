package org.phylax.web.internal;

import java.util.Optional;
import java.util.Set;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Role;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The home page of a signed-in user: who is signed in, with which roles, links to the pages they
 * may use (their appointments, the schedule), and sign-out.
 */
@Controller
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class HomeController {

  private final Accounts accounts;

  HomeController(Accounts accounts) {
    this.accounts = accounts;
  }

  @GetMapping("/")
  String home(@AuthenticationPrincipal SignedInUser user, Model model) {
    // The display name is PHI for patients: read from the account (where it is encrypted) for
    // this page, never kept in the session.
    Optional<Account> account = accounts.findById(user.accountId());
    String name = account.flatMap(Account::displayName).orElse(user.username());
    model.addAttribute("name", name);
    // The pages this user may use, from the account as it is now (a link may have changed).
    Set<Role> roles = account.map(Account::roles).orElse(Set.of());
    model.addAttribute(
        "myAppointments",
        roles.contains(Role.PATIENT) && account.flatMap(Account::patientId).isPresent());
    model.addAttribute(
        "schedule",
        roles.contains(Role.FRONT_DESK)
            || ((roles.contains(Role.PHYSICIAN) || roles.contains(Role.NURSE))
                && account.flatMap(Account::practitionerId).isPresent()));
    model.addAttribute("username", user.username());
    model.addAttribute("roles", user.roles().stream().map(r -> r.replace('_', ' ')).toList());
    return "home";
  }
}
