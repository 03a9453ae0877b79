package org.phylax.cli;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.audit.AuditLog;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Role;
import org.phylax.records.RecordExport;
import org.phylax.records.RecordStore;
import org.springframework.context.ApplicationContext;

/**
 * The demo's synthetic patients, made on the demo's first run (when the store holds no Patient but
 * the demo patient's): {@link #COUNT} patients from {@link Synthesizer}, the demo physician the
 * general practitioner of every other one and the demo nurse on the care team of every third, so
 * that the demo users have patients in their care and patients who are not.
 */
final class DemoPatients {

  static final int COUNT = 20;
  static final long SEED = 20_240_601L;

  private DemoPatients() {}

  /** Synthesizes the patients unless there are already more than the demo patient; returns them. */
  static Optional<Synthesizer.Result> ensure(ApplicationContext context, PrintStream progress) {
    Permit permit = context.getBean(SystemAccess.class).forTask("demo");
    if (context.getBean(RecordExport.class).page(permit, "Patient", null, null, 2).size() > 1) {
      return Optional.empty();
    }
    Accounts accounts = context.getBean(Accounts.class);
    return Optional.of(
        new Synthesizer(
                context.getBean(RecordStore.class),
                permit,
                context.getBean(AuditLog.class),
                UsersCommand.operator(),
                progress)
            .run(
                new Synthesizer.Options(
                    COUNT,
                    SEED,
                    LocalDate.now(ZoneOffset.UTC),
                    practitioner(accounts, Role.PHYSICIAN),
                    practitioner(accounts, Role.NURSE))));
  }

  private static UUID practitioner(Accounts accounts, Role role) {
    return accounts.find(DemoUsers.username(role)).flatMap(Account::practitionerId).orElse(null);
  }
}
