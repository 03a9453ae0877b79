package org.phylax.access;

import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.params.provider.Arguments;
import org.phylax.identity.AccountStatus;
import org.phylax.identity.Role;
import org.phylax.records.RecordStore;

/**
 * The access-control table — role × relationship × action × resource type with the expected permit
 * and its reason or the denial and its rule — with the synthetic records it is decided against. One
 * table for two tests: {@code AccessPolicyIntegrationTests} asks the policy in process, {@code
 * FhirAccessTableIntegrationTests} makes the same requests over HTTP with real tokens.
 */
public final class AccessTable {

  /** Synthetic family names of the table's patients, which no refusal may echo. */
  public static final List<String> PATIENT_NAMES = List.of("Quillfeather", "Marblewood", "Synthia");

  private AccessTable() {}

  /**
   * One row: {@code who} (a key of {@link #users()}) asks {@code action} on {@code type} of {@code
   * patient} (a key of the seeded ids, or null: a resource of no patient, or a new Patient) and
   * {@code expected} is {@code "PERMIT <reason>"} or {@code "DENY <rule>"}.
   */
  public record Row(String who, String action, String type, String patient, String expected) {

    public boolean permits() {
      return expected.startsWith("PERMIT ");
    }

    /** The reason or rule alone. */
    public String outcome() {
      return expected.substring(expected.indexOf(' ') + 1);
    }

    public Arguments arguments() {
      return Arguments.of(who, action, type, patient, expected);
    }

    @Override
    public String toString() {
      return who + " " + action + " " + type + " of " + patient + " -> " + expected;
    }
  }

  /**
   * A subject of the table: a user with one role, linked to a seeded Practitioner or Patient (by
   * key), in an account status — or, when {@code role} is null, a backend service with {@code
   * scopes}.
   */
  public record User(
      String who,
      Role role,
      String practitioner,
      String patient,
      AccountStatus status,
      Set<String> scopes) {

    public boolean isService() {
      return role == null;
    }
  }

  /** The subjects of the rows, by name. */
  public static Map<String, User> users() {
    Map<String, User> out = new java.util.LinkedHashMap<>();
    AccountStatus active = AccountStatus.ACTIVE;
    user(out, "physician A", Role.PHYSICIAN, "drAssigned", null, active);
    user(out, "nurse on team", Role.NURSE, "nurseTeam", null, active);
    user(out, "nurse expired", Role.NURSE, "nurseExpired", null, active);
    user(out, "physician denied", Role.PHYSICIAN, "drDenied", null, active);
    user(out, "physician none", Role.PHYSICIAN, "drNone", null, active);
    user(out, "front desk", Role.FRONT_DESK, "frontDesk", null, active);
    user(out, "billing", Role.BILLING, "billing", null, active);
    user(out, "compliance", Role.COMPLIANCE_OFFICER, "compliance", null, active);
    user(out, "admin", Role.ADMIN, "admin", null, active);
    user(out, "physician consent", Role.PHYSICIAN, "drConsent", null, active);
    user(out, "physician by role", Role.PHYSICIAN, "drByRole", null, active);
    user(out, "physician by practice", Role.PHYSICIAN, "drByPractice", null, active);
    user(out, "physician of clinic", Role.PHYSICIAN, "drOrgOnly", null, active);
    user(out, "physician A disabled", Role.PHYSICIAN, "drAssigned", null, AccountStatus.DISABLED);
    user(out, "physician visiting", Role.PHYSICIAN, "drVisit", null, active);
    user(out, "physician by visit role", Role.PHYSICIAN, "drVisitRole", null, active);
    user(out, "physician visited", Role.PHYSICIAN, "drVisited", null, active);
    user(out, "physician cancelled", Role.PHYSICIAN, "drCancelled", null, active);
    user(out, "physician far off", Role.PHYSICIAN, "drFarOff", null, active);
    user(out, "patient 1", Role.PATIENT, null, "P1", active);
    service(out, "service read", "system/*.read");
    service(out, "service patients", "system/Patient.rs");
    service(out, "service registry", "system/Patient.c");
    return out;
  }

  private static void user(
      Map<String, User> out,
      String who,
      Role role,
      String practitioner,
      String patient,
      AccountStatus status) {
    out.put(who, new User(who, role, practitioner, patient, status, Set.of()));
  }

  private static void service(Map<String, User> out, String who, String scope) {
    out.put(who, new User(who, null, null, null, AccountStatus.ACTIVE, Set.of(scope)));
  }

  /** The rows. */
  public static List<Row> rows() {
    return List.of(
        row("physician A", "READ", "Observation", "P1", "PERMIT ASSIGNED"),
        row("physician A", "DELETE", "Observation", "P1", "PERMIT ASSIGNED"),
        row("physician A", "READ", "Observation", "P3", "DENY NO_RELATIONSHIP"),
        row("nurse on team", "READ", "Observation", "P1", "PERMIT CARE_TEAM"),
        row("nurse on team", "UPDATE", "Condition", "P1", "PERMIT CARE_TEAM"),
        row("nurse on team", "DELETE", "Observation", "P1", "DENY ROLE_NOT_PERMITTED"),
        row("nurse expired", "READ", "Observation", "P1", "DENY NO_RELATIONSHIP"),
        row("physician denied", "READ", "Observation", "P1", "DENY CONSENT_DENIED"),
        row("physician none", "READ", "Patient", "P2", "DENY NO_RELATIONSHIP"),
        row("physician consent", "READ", "Condition", "P2", "PERMIT CONSENT"),
        row("physician by role", "READ", "Observation", "P3", "PERMIT ASSIGNED"),
        row("physician by practice", "READ", "Observation", "P4", "PERMIT ASSIGNED"),
        row("physician of clinic", "READ", "Patient", "P1", "DENY NO_RELATIONSHIP"),
        row("front desk", "READ", "Patient", "P1", "PERMIT ASSIGNED"),
        row("front desk", "CREATE", "Appointment", "P1", "PERMIT ASSIGNED"),
        row("front desk", "READ", "Observation", "P1", "DENY ROLE_NOT_PERMITTED"),
        row("front desk", "READ", "Patient", "P2", "DENY NO_RELATIONSHIP"),
        row("billing", "READ", "Coverage", "P1", "PERMIT ASSIGNED"),
        row("billing", "UPDATE", "Patient", "P1", "DENY ROLE_NOT_PERMITTED"),
        row("billing", "READ", "Condition", "P1", "DENY ROLE_NOT_PERMITTED"),
        row("compliance", "READ", "Observation", "P1", "DENY ROLE_NOT_PERMITTED"),
        row("admin", "READ", "Patient", "P1", "DENY ROLE_NOT_PERMITTED"),
        row("admin", "UPDATE", "Practitioner", null, "PERMIT DIRECTORY"),
        row("nurse on team", "UPDATE", "Practitioner", null, "DENY ROLE_NOT_PERMITTED"),
        row("front desk", "READ", "Slot", null, "PERMIT DIRECTORY"),
        row("physician none", "READ", "Medication", null, "PERMIT DIRECTORY"),
        row("billing", "READ", "Slot", null, "DENY ROLE_NOT_PERMITTED"),
        row("admin", "READ", "Medication", null, "DENY ROLE_NOT_PERMITTED"),
        row("patient 1", "READ", "Observation", "P1", "PERMIT SELF"),
        row("patient 1", "EXPORT", "Condition", "P1", "PERMIT SELF"),
        row("patient 1", "READ", "Observation", "P2", "DENY NO_RELATIONSHIP"),
        row("patient 1", "UPDATE", "Observation", "P1", "DENY ROLE_NOT_PERMITTED"),
        row("physician A disabled", "READ", "Observation", "P1", "DENY ACCOUNT_DISABLED"),
        row("physician A", "READ", "Basic", "P1", "DENY ROLE_NOT_PERMITTED"),
        // A booked appointment links its practitioners from 7 days before to 7 days after it.
        row("physician visiting", "READ", "Observation", "P2", "PERMIT APPOINTMENT"),
        row("physician visiting", "UPDATE", "Condition", "P2", "PERMIT APPOINTMENT"),
        row("physician visiting", "READ", "Observation", "P1", "DENY NO_RELATIONSHIP"),
        row("physician by visit role", "READ", "Observation", "P2", "PERMIT APPOINTMENT"),
        row("physician visited", "READ", "Observation", "P2", "PERMIT APPOINTMENT"),
        row("physician cancelled", "READ", "Observation", "P2", "DENY NO_RELATIONSHIP"),
        row("physician far off", "READ", "Observation", "P2", "DENY NO_RELATIONSHIP"),
        row("service read", "READ", "Observation", "P2", "PERMIT SERVICE"),
        row("service read", "UPDATE", "Observation", "P2", "DENY ROLE_NOT_PERMITTED"),
        row("service patients", "SEARCH", "Patient", "P2", "PERMIT SERVICE"),
        row("service patients", "READ", "Observation", "P2", "DENY ROLE_NOT_PERMITTED"),
        // Registering a new patient: no patient yet, so the role table (or scopes) alone decides.
        row("front desk", "CREATE", "Patient", null, "PERMIT REGISTRATION"),
        row("physician none", "CREATE", "Patient", null, "PERMIT REGISTRATION"),
        row("billing", "CREATE", "Patient", null, "DENY ROLE_NOT_PERMITTED"),
        row("patient 1", "CREATE", "Patient", null, "DENY ROLE_NOT_PERMITTED"),
        row("admin", "CREATE", "Patient", null, "DENY ROLE_NOT_PERMITTED"),
        row("physician A disabled", "CREATE", "Patient", null, "DENY ACCOUNT_DISABLED"),
        row("service registry", "CREATE", "Patient", null, "PERMIT REGISTRATION"),
        row("service patients", "CREATE", "Patient", null, "DENY ROLE_NOT_PERMITTED"),
        row("service read", "CREATE", "Patient", null, "DENY ROLE_NOT_PERMITTED"),
        row("front desk", "CREATE", "Observation", null, "DENY ROLE_NOT_PERMITTED"),
        row("physician none", "UPDATE", "Patient", null, "DENY NO_RELATIONSHIP"),
        row("physician none", "CREATE", "Observation", null, "DENY NO_RELATIONSHIP"),
        // A Group (a list of patients) is no patient's: the role table alone decides.
        row("admin", "CREATE", "Group", null, "PERMIT DIRECTORY"),
        row("nurse on team", "READ", "Group", null, "PERMIT DIRECTORY"),
        row("physician A", "UPDATE", "Group", null, "DENY ROLE_NOT_PERMITTED"),
        row("front desk", "READ", "Group", null, "DENY ROLE_NOT_PERMITTED"),
        row("compliance", "READ", "Group", null, "DENY ROLE_NOT_PERMITTED"),
        row("patient 1", "READ", "Group", null, "DENY ROLE_NOT_PERMITTED"),
        row("service read", "READ", "Group", null, "PERMIT SERVICE"));
  }

  static Row row(String who, String action, String type, String patient, String expected) {
    return new Row(who, action, type, patient, expected);
  }

  /**
   * Writes the table's directory, patients, care teams and consents with {@code system} and returns
   * their ids by name: the Practitioners by the names {@link #users()} link to, {@code clinic}, and
   * the patients {@code P1} … {@code P4}.
   */
  public static Map<String, UUID> seed(RecordStore store, Permit system) {
    Map<String, UUID> ids = new HashMap<>();
    Function<Resource, UUID> create = r -> store.create(system, r).id();
    UUID clinic = create.apply(organization("Synthetic Clinic"));
    UUID otherClinic = create.apply(organization("Synthetic Practice"));
    ids.put("clinic", clinic);
    for (String p :
        List.of(
            "drAssigned",
            "nurseTeam",
            "nurseExpired",
            "drDenied",
            "drNone",
            "frontDesk",
            "billing",
            "compliance",
            "admin",
            "drConsent",
            "drByRole",
            "drByPractice",
            "drOrgOnly",
            "drVisit",
            "drVisitRole",
            "drVisited",
            "drCancelled",
            "drFarOff")) {
      ids.put(p, create.apply(practitioner(p)));
    }
    create.apply(role(ids.get("frontDesk"), clinic));
    create.apply(role(ids.get("billing"), clinic));
    create.apply(role(ids.get("drOrgOnly"), clinic));
    UUID roleJob = create.apply(role(ids.get("drByRole"), null));
    create.apply(role(ids.get("drByPractice"), otherClinic));

    Patient one = patient("Quillfeather");
    one.addGeneralPractitioner(ref("Practitioner", ids.get("drAssigned")));
    one.setManagingOrganization(ref("Organization", clinic));
    ids.put("P1", create.apply(one));
    ids.put("P2", create.apply(patient("Quillfeather")));
    Patient three = patient("Quillfeather");
    three.addGeneralPractitioner(ref("PractitionerRole", roleJob));
    ids.put("P3", create.apply(three));
    Patient four = patient("Marblewood");
    four.addGeneralPractitioner(ref("Organization", otherClinic));
    ids.put("P4", create.apply(four));

    CareTeam team =
        careTeam(
            ids.get("P1"),
            CareTeam.CareTeamStatus.ACTIVE,
            ids.get("nurseTeam"),
            ids.get("drDenied"));
    team.getParticipant().get(0).setPeriod(new Period().setStart(days(-10)));
    ids.put("team", create.apply(team));
    CareTeam old = careTeam(ids.get("P1"), CareTeam.CareTeamStatus.ACTIVE, ids.get("nurseExpired"));
    old.getParticipant().get(0).setPeriod(new Period().setStart(days(-400)).setEnd(days(-30)));
    create.apply(old);
    create.apply(
        careTeam(ids.get("P2"), CareTeam.CareTeamStatus.ENTEREDINERROR, ids.get("drNone")));
    create.apply(consent(ids.get("P1"), Consent.ConsentProvisionType.DENY, ids.get("drDenied")));
    create.apply(consent(ids.get("P2"), Consent.ConsentProvisionType.PERMIT, ids.get("drConsent")));

    UUID visitRole = create.apply(role(ids.get("drVisitRole"), null));
    UUID p2 = ids.get("P2");
    Appointment.AppointmentStatus booked = Appointment.AppointmentStatus.BOOKED;
    create.apply(appointment(p2, ref("Practitioner", ids.get("drVisit")), booked, 3));
    create.apply(appointment(p2, ref("PractitionerRole", visitRole), booked, 2));
    create.apply(
        appointment(
            p2,
            ref("Practitioner", ids.get("drVisited")),
            Appointment.AppointmentStatus.FULFILLED,
            -6));
    create.apply(
        appointment(
            p2,
            ref("Practitioner", ids.get("drCancelled")),
            Appointment.AppointmentStatus.CANCELLED,
            1));
    create.apply(appointment(p2, ref("Practitioner", ids.get("drFarOff")), booked, 9));
    return ids;
  }

  // ---------------------------------------------------------------- synthetic resources

  public static Reference ref(String type, UUID id) {
    return new Reference(type + "/" + id);
  }

  public static Date days(int offset) {
    return Date.from(Instant.now().plusSeconds(86_400L * offset));
  }

  public static Organization organization(String name) {
    Organization o = new Organization();
    o.setName(name);
    return o;
  }

  public static Practitioner practitioner(String name) {
    Practitioner p = new Practitioner();
    p.addName().setFamily(name);
    return p;
  }

  public static PractitionerRole role(UUID practitioner, UUID organization) {
    PractitionerRole r = new PractitionerRole();
    r.setActive(true).setPractitioner(ref("Practitioner", practitioner));
    if (organization != null) {
      r.setOrganization(ref("Organization", organization));
    }
    return r;
  }

  public static Patient patient(String family) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven("Synthia");
    return p;
  }

  public static CareTeam careTeam(
      UUID patient, CareTeam.CareTeamStatus status, UUID... practitioners) {
    CareTeam t = new CareTeam();
    t.setStatus(status).setSubject(ref("Patient", patient));
    for (UUID m : practitioners) {
      t.addParticipant().setMember(ref("Practitioner", m));
    }
    return t;
  }

  /** An appointment of 20 minutes, {@code days} from now, of the patient with one practitioner. */
  public static Appointment appointment(
      UUID patient, Reference practitioner, Appointment.AppointmentStatus status, int days) {
    Appointment a = new Appointment();
    a.setStatus(status);
    Date start = days(days);
    a.setStart(start).setEnd(new Date(start.getTime() + 20 * 60_000L));
    a.addParticipant()
        .setActor(ref("Patient", patient))
        .setStatus(Appointment.ParticipationStatus.ACCEPTED);
    a.addParticipant().setActor(practitioner).setStatus(Appointment.ParticipationStatus.ACCEPTED);
    if (status == Appointment.AppointmentStatus.CANCELLED) {
      a.setCancelationReason(new org.hl7.fhir.r4.model.CodeableConcept().setText("clinic closed"));
    }
    return a;
  }

  public static Consent consent(
      UUID patient, Consent.ConsentProvisionType type, UUID practitioner) {
    Consent c = new Consent();
    c.setStatus(Consent.ConsentState.ACTIVE).setPatient(ref("Patient", patient));
    c.getProvision().setType(type).addActor().setReference(ref("Practitioner", practitioner));
    return c;
  }
}
