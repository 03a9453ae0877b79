package org.phylax.cli;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;
import net.datafaker.Faker;
import org.apache.commons.codec.binary.Base32;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.Permit;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.identity.Actor;
import org.phylax.identity.NewAccount;
import org.phylax.identity.Role;
import org.phylax.identity.TotpEnrollment;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;

/**
 * The demo's users: one per role ({@code demo-physician}, …, {@code demo-patient}), each with a
 * TOTP authenticator already enrolled; each workforce user is linked to a synthetic Practitioner
 * (with a PractitionerRole at a synthetic clinic), the patient to a synthetic Patient record whose
 * general practitioner is the demo physician and whose care team holds the demo nurse. Their
 * passwords and TOTP secrets are kept in {@code DATA_DIR/demo-users.txt} (mode 600) so that every
 * run of {@code demo} prints the same credentials; when that file is gone, the existing demo users
 * get new ones. Made by the operator, as every CLI action is.
 */
final class DemoUsers {

  static final String FILE = "demo-users.txt";

  /** One demo user's credentials. */
  record Credentials(String username, String password, String totpSecret, String state) {
    String uri() {
      return "otpauth://totp/Phylax:"
          + username
          + "?secret="
          + totpSecret
          + "&issuer=Phylax&algorithm=SHA1&digits=6&period=30";
    }

    @Override
    public String toString() {
      return "Credentials[" + username + ", ***]";
    }
  }

  private final Accounts accounts;
  private final RecordStore records;
  private final SystemAccess system;
  private final Path file;
  private final SecureRandom random = new SecureRandom();
  private final Faker faker = new Faker(Locale.US);
  private final Map<Role, UUID> practitioners = new EnumMap<>(Role.class);
  private UUID organization;

  DemoUsers(Accounts accounts, RecordStore records, SystemAccess system, Path dataDir) {
    this.accounts = accounts;
    this.records = records;
    this.system = system;
    this.file = dataDir.resolve(FILE);
  }

  static String username(Role role) {
    return "demo-" + role.key().replace('_', '-');
  }

  /** Creates what is missing and returns every demo user's credentials, in role order. */
  List<Credentials> ensure() {
    Map<String, String[]> saved = read();
    Actor operator = UsersCommand.operator();
    List<Credentials> all = new ArrayList<>();
    for (Role role : Role.values()) {
      String username = username(role);
      Optional<Account> existing = accounts.find(username);
      String[] known = saved.get(username);
      if (existing.isPresent() && known != null) {
        all.add(new Credentials(username, known[0], known[1], "exists"));
        continue;
      }
      String password = newPassword();
      Account account;
      String state;
      if (existing.isPresent()) {
        accounts.resetPassword(username, password, operator);
        account = accounts.resetMfa(username, operator);
        state = "reset";
      } else {
        account = accounts.create(newAccount(role, username, password), operator);
        state = "created";
      }
      String secret = enroll(account, operator);
      all.add(new Credentials(username, password, secret, state));
      write(all, saved);
    }
    return all;
  }

  private NewAccount newAccount(Role role, String username, String password) {
    NewAccount.Builder account = NewAccount.builder(username).role(role).password(password);
    if (role == Role.PATIENT) {
      Patient patient = new Patient();
      synthetic(patient);
      if (practitioners.containsKey(Role.PHYSICIAN)) {
        patient.addGeneralPractitioner(
            new Reference("Practitioner/" + practitioners.get(Role.PHYSICIAN)));
      }
      if (organization != null) {
        patient.setManagingOrganization(new Reference("Organization/" + organization));
      }
      String given = faker.name().firstName();
      String family = faker.name().lastName();
      patient.addName().setFamily(family).addGiven(given);
      patient.setGender(
          random.nextBoolean() ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
      patient.setBirthDate(
          java.util.Date.from(
              faker.timeAndDate().birthday(18, 90).atStartOfDay().toInstant(ZoneOffset.UTC)));
      StoredResource stored = records.create(system.forTask("demo"), patient);
      if (practitioners.containsKey(Role.NURSE)) {
        careTeam(stored.id());
      }
      return account.patient(stored.id()).displayName(given + " " + family).build();
    }
    String given = faker.name().firstName();
    String family = faker.name().lastName();
    UUID practitioner = practitioner(role, given, family);
    practitioners.put(role, practitioner);
    String name = given + " " + family;
    return account
        .practitioner(practitioner)
        .displayName(role == Role.PHYSICIAN ? "Dr. " + name : name)
        .build();
  }

  /**
   * A synthetic Practitioner for a workforce user, with a PractitionerRole at the demo clinic (an
   * Organization made with the first of them). These are the relationships the access policy reads:
   * the demo patient names the physician as general practitioner and the clinic as managing
   * organization, and has a care team with the nurse.
   */
  private UUID practitioner(Role role, String given, String family) {
    Permit permit = system.forTask("demo");
    if (organization == null) {
      Organization clinic = new Organization();
      synthetic(clinic);
      clinic.setActive(true).setName("Phylax Demo Clinic");
      organization = records.create(permit, clinic).id();
    }
    Practitioner practitioner = new Practitioner();
    synthetic(practitioner);
    practitioner.setActive(true).addName().setFamily(family).addGiven(given);
    UUID id = records.create(permit, practitioner).id();
    PractitionerRole job = new PractitionerRole();
    synthetic(job);
    job.setActive(true)
        .setPractitioner(new Reference("Practitioner/" + id))
        .setOrganization(new Reference("Organization/" + organization))
        .addCode()
        .addCoding()
        .setSystem("urn:phylax:role")
        .setCode(role.key());
    records.create(permit, job);
    return id;
  }

  private void careTeam(UUID patient) {
    CareTeam team = new CareTeam();
    synthetic(team);
    team.setStatus(CareTeam.CareTeamStatus.ACTIVE)
        .setName("Demo care team")
        .setSubject(new Reference("Patient/" + patient))
        .setPeriod(
            new Period().setStart(java.util.Date.from(Instant.now().minus(Duration.ofDays(30)))));
    team.addParticipant().setMember(new Reference("Practitioner/" + practitioners.get(Role.NURSE)));
    records.create(system.forTask("demo"), team);
  }

  private static void synthetic(Resource resource) {
    resource
        .getMeta()
        .addTag("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HTEST", "test health data");
  }

  /** Enrolls a fresh TOTP secret the way a user's app would: with the code of the moment. */
  private String enroll(Account account, Actor operator) {
    TotpEnrollment enrollment = accounts.beginTotp(account.id());
    byte[] secret = new Base32().decode(enrollment.secret());
    String code;
    try {
      code =
          new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6)
              .generateOneTimePasswordString(
                  new SecretKeySpec(secret, "RAW"), Instant.now(), Locale.ROOT);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
    accounts.confirmTotp(account.id(), code, operator);
    return enrollment.secret();
  }

  private String newPassword() {
    String alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    StringBuilder out = new StringBuilder("demo-");
    for (int i = 0; i < 12; i++) {
      if (i > 0 && i % 4 == 0) {
        out.append('-');
      }
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  private Map<String, String[]> read() {
    Map<String, String[]> saved = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return saved;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] parts = line.strip().split("\\s+");
        if (parts.length == 3 && !line.startsWith("#")) {
          saved.put(parts[0], new String[] {parts[1], parts[2]});
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return saved;
  }

  /** Rewrites the file (mode 600) with what is known so far, after each change. */
  private void write(List<Credentials> current, Map<String, String[]> saved) {
    Map<String, String[]> merged = new LinkedHashMap<>(saved);
    for (Credentials c : current) {
      merged.put(c.username(), new String[] {c.password(), c.totpSecret()});
    }
    StringBuilder text =
        new StringBuilder(
            "# Phylax demo users: username, password, TOTP secret. Demo data only.\n");
    merged.forEach(
        (user, v) ->
            text.append(user).append(' ').append(v[0]).append(' ').append(v[1]).append('\n'));
    try {
      Path tmp =
          Files.createTempFile(
              file.getParent(),
              ".demo-users",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
