package org.phylax.web.internal;

import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The home page of a signed-in user: who is signed in, with which roles, and sign-out. */
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
    String name =
        accounts.findById(user.accountId()).flatMap(Account::displayName).orElse(user.username());
    model.addAttribute("name", name);
    model.addAttribute("username", user.username());
    model.addAttribute("roles", user.roles().stream().map(r -> r.replace('_', ' ')).toList());
    return "home";
  }
}
