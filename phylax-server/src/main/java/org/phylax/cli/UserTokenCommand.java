package org.phylax.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.phylax.oauth.UserTokens;
import org.phylax.platform.PhylaxServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./phylax users token USERNAME [--ttl 15m]}: one bearer token on stdout, nothing else. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description =
        "Print one bearer access token for the user (for scripts and tests); at most 1h; audited"
            + " as issued by you.")
final class UserTokenCommand extends ToolCommand {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smh])");

  @Parameters(index = "0", paramLabel = "USERNAME")
  String username;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      defaultValue = "15m",
      description = "lifetime, e.g. 90s, 15m, 1h (1m to 1h; default 15m)")
  String ttl;

  @Override
  public Integer call() {
    parse(ttl); // refuse a malformed lifetime before starting anything
    return super.call();
  }

  static Duration parse(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new UsageProblem("--ttl: '" + text + "' is not a duration like 90s, 15m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(UserTokens.MAX_TTL) > 0) {
      throw new UsageProblem("--ttl must be between 1m and 1h");
    }
    return d;
  }

  @Override
  int run(PhylaxServer phylax) {
    UserTokens.Issued issued;
    try {
      issued =
          phylax
              .context()
              .getBean(UserTokens.class)
              .issue(username, parse(ttl), UsersCommand.operator().id());
    } catch (IllegalArgumentException e) {
      throw new UsageProblem(e.getMessage());
    }
    out.println(issued.token());
    return 0;
  }
}
