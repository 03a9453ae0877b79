package org.phylax.access;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.phylax.identity.Role;

/**
 * Minimum necessary: which role may do what to which kind of resource, before any relationship to
 * the patient is considered. docs/access-control.md prints this table, and RoleTableTests checks
 * every cell of it. A resource type not listed here belongs to no category and is refused.
 */
final class RoleTable {

  /** Kinds of resources, as the table speaks of them. */
  enum Category {
    DEMOGRAPHICS(Set.of("Patient")),
    SCHEDULING(Set.of("Appointment", "Schedule", "Slot")),
    FINANCIAL(Set.of("Coverage", "Claim", "ExplanationOfBenefit")),
    CLINICAL(
        Set.of(
            "Observation",
            "Condition",
            "Procedure",
            "MedicationRequest",
            "MedicationStatement",
            "MedicationAdministration",
            "Medication",
            "Immunization",
            "AllergyIntolerance",
            "Encounter",
            "DiagnosticReport",
            "DocumentReference",
            "CarePlan",
            "CareTeam",
            "Consent",
            "Goal",
            "Provenance",
            "Device",
            "ImagingStudy",
            "SupplyDelivery")),
    DIRECTORY(Set.of("Practitioner", "PractitionerRole", "Organization", "Location")),
    /**
     * Lists of patients (a ward, a study, a payer's members), kept as no patient's resource: who is
     * in a list says something about each member, so only clinicians and administrators see them.
     */
    GROUPS(Set.of("Group"));

    final Set<String> types;

    Category(Set<String> types) {
      this.types = types;
    }

    static Category of(String resourceType) {
      for (Category c : values()) {
        if (c.types.contains(resourceType)) {
          return c;
        }
      }
      return null;
    }
  }

  /** What a cell allows. */
  enum Grant {
    /** Allowed, given a relationship to the patient. */
    YES,
    /** Allowed only under an active break-glass grant. */
    BREAK_GLASS,
    NO
  }

  private static final Set<AccessAction> READ = EnumSet.of(AccessAction.READ, AccessAction.SEARCH);
  private static final Set<AccessAction> READ_WRITE =
      EnumSet.of(AccessAction.READ, AccessAction.SEARCH, AccessAction.CREATE, AccessAction.UPDATE);
  private static final Set<AccessAction> ALL = EnumSet.allOf(AccessAction.class);
  private static final Set<AccessAction> READ_WRITE_DELETE =
      EnumSet.of(
          AccessAction.READ,
          AccessAction.SEARCH,
          AccessAction.CREATE,
          AccessAction.UPDATE,
          AccessAction.DELETE);
  private static final Set<AccessAction> READ_EXPORT =
      EnumSet.of(AccessAction.READ, AccessAction.SEARCH, AccessAction.EXPORT);

  private static final Map<Role, Map<Category, Set<AccessAction>>> ALLOWED =
      new EnumMap<>(Role.class);

  /** Roles that may open a break-glass grant, and what it then gives them. */
  private static final Map<Role, Map<Category, Set<AccessAction>>> UNDER_BREAK_GLASS =
      new EnumMap<>(Role.class);

  static {
    ALLOWED.put(
        Role.PHYSICIAN,
        Map.of(
            Category.DEMOGRAPHICS, READ_WRITE,
            Category.CLINICAL, ALL,
            Category.SCHEDULING, READ_WRITE_DELETE,
            Category.FINANCIAL, READ,
            Category.DIRECTORY, READ,
            Category.GROUPS, READ));
    ALLOWED.put(
        Role.NURSE,
        Map.of(
            Category.DEMOGRAPHICS, READ_WRITE,
            Category.CLINICAL, READ_WRITE,
            Category.SCHEDULING, READ_WRITE_DELETE,
            Category.FINANCIAL, READ,
            Category.DIRECTORY, READ,
            Category.GROUPS, READ));
    ALLOWED.put(
        Role.FRONT_DESK,
        Map.of(
            Category.DEMOGRAPHICS, READ_WRITE,
            Category.SCHEDULING, READ_WRITE_DELETE,
            Category.FINANCIAL, READ_WRITE,
            Category.DIRECTORY, READ));
    ALLOWED.put(
        Role.BILLING,
        Map.of(
            Category.DEMOGRAPHICS, READ,
            Category.FINANCIAL, READ_WRITE,
            Category.DIRECTORY, READ));
    ALLOWED.put(Role.COMPLIANCE_OFFICER, Map.of(Category.DIRECTORY, READ));
    ALLOWED.put(
        Role.ADMIN,
        Map.of(Category.DIRECTORY, READ_WRITE_DELETE, Category.GROUPS, READ_WRITE_DELETE));
    ALLOWED.put(
        Role.PATIENT,
        Map.of(
            Category.DEMOGRAPHICS, READ_EXPORT,
            Category.CLINICAL, READ_EXPORT,
            Category.SCHEDULING, READ,
            Category.FINANCIAL, READ,
            Category.DIRECTORY, READ));

    UNDER_BREAK_GLASS.put(Role.PHYSICIAN, ALLOWED.get(Role.PHYSICIAN));
    UNDER_BREAK_GLASS.put(Role.NURSE, ALLOWED.get(Role.NURSE));
    Map<Category, Set<AccessAction>> readEverything = new EnumMap<>(Category.class);
    for (Category c : Category.values()) {
      if (c != Category.GROUPS) { // a grant is for one patient; a Group is no patient's
        readEverything.put(c, READ);
      }
    }
    UNDER_BREAK_GLASS.put(Role.COMPLIANCE_OFFICER, readEverything);
  }

  /**
   * Beyond the table: a patient may create and update an Appointment (book a free Slot, cancel),
   * only of their own record, as every patient permit is. Schedules and Slots stay read-only to
   * them, since those belong to no patient and the table alone would decide.
   */
  private static final Set<AccessAction> PATIENT_BOOKS =
      EnumSet.of(AccessAction.CREATE, AccessAction.UPDATE);

  private RoleTable() {}

  /** The best any of the roles gets for this action on this type. */
  static Grant grant(Set<Role> roles, String resourceType, AccessAction action) {
    Category category = Category.of(resourceType);
    if (category == null) {
      return Grant.NO;
    }
    if (roles.contains(Role.PATIENT)
        && "Appointment".equals(resourceType)
        && PATIENT_BOOKS.contains(action)) {
      return Grant.YES; // a patient books and cancels their own appointments; SELF still applies
    }
    Grant best = Grant.NO;
    for (Role role : roles) {
      if (ALLOWED.getOrDefault(role, Map.of()).getOrDefault(category, Set.of()).contains(action)) {
        return Grant.YES;
      }
      if (UNDER_BREAK_GLASS
          .getOrDefault(role, Map.of())
          .getOrDefault(category, Set.of())
          .contains(action)) {
        best = Grant.BREAK_GLASS;
      }
    }
    return best;
  }

  /**
   * Types whose resources may belong to no patient: the directory, the medication catalog,
   * schedules and slots, a device in stock, a provenance of such resources. A request for one
   * without a patient is decided by this table alone. (The record store says, per type, where the
   * patient comes from; this list must cover every type it may leave without one.)
   */
  private static final Set<String> MAY_HAVE_NO_PATIENT =
      Set.of(
          "Practitioner",
          "PractitionerRole",
          "Organization",
          "Location",
          "Medication",
          "Schedule",
          "Slot",
          "Device",
          "Provenance",
          "Group");

  static boolean mayHaveNoPatient(String resourceType) {
    return MAY_HAVE_NO_PATIENT.contains(resourceType);
  }

  /** Whether any of the roles may open a break-glass grant. */
  static boolean mayBreakGlass(Set<Role> roles) {
    for (Role role : roles) {
      if (UNDER_BREAK_GLASS.containsKey(role)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the organization that manages a record is reason enough for these roles: for the
   * administrative ones (front desk, billing), whose work is the organization's patients.
   */
  static boolean organizationSuffices(Set<Role> roles) {
    return roles.contains(Role.FRONT_DESK) || roles.contains(Role.BILLING);
  }

  static Set<AccessAction> allowed(Role role, Category category) {
    return ALLOWED.getOrDefault(role, Map.of()).getOrDefault(category, Set.of());
  }

  static Set<AccessAction> underBreakGlass(Role role, Category category) {
    return UNDER_BREAK_GLASS.getOrDefault(role, Map.of()).getOrDefault(category, Set.of());
  }
}
