package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.phylax.records.SearchParameter;

/**
 * The resource types the API serves — exactly those the record store keeps, read from {@link
 * SearchParameter}'s type lists, so a type added there is served without a change here — and the
 * element that names a resource's patient.
 */
final class FhirTypes {

  /** Where a patient-owned resource names its patient, in the order looked for. */
  private static final List<String> PATIENT_ELEMENTS = List.of("subject", "patient", "beneficiary");

  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private FhirTypes() {}

  /** Patient first, then the other kept types by name. */
  static List<String> all() {
    Set<String> others = new TreeSet<>();
    others.addAll(SearchParameter.ClinicalTypes.ALL);
    others.addAll(SearchParameter.CompartmentTypes.ALL);
    others.addAll(SearchParameter.DirectoryTypes.ALL);
    others.remove("Patient");
    List<String> out = new ArrayList<>();
    out.add("Patient");
    out.addAll(others);
    return out;
  }

  static boolean isDirectory(String type) {
    return SearchParameter.DirectoryTypes.ALL.contains(type);
  }

  /** Whether resources of the type belong to a patient other than themselves. */
  static boolean isPatientOwned(String type) {
    return !"Patient".equals(type) && !isDirectory(type);
  }

  /**
   * The element of a patient-owned type that names the patient: {@code subject}, else {@code
   * patient}, else {@code beneficiary} (Coverage) — the first the type has. The store checks it
   * again with its own rule, so a wrong guess for a new type is refused, never misfiled.
   */
  static String patientElement(FhirContext fhir, String type) {
    RuntimeResourceDefinition definition = fhir.getResourceDefinition(type);
    for (String element : PATIENT_ELEMENTS) {
      if (definition.getChildByName(element) != null) {
        return element;
      }
    }
    return null;
  }

  /** The search parameters of the store that apply to the type. */
  static List<SearchParameter> storeParameters(String type) {
    List<SearchParameter> out = new ArrayList<>();
    for (SearchParameter p : SearchParameter.values()) {
      if (p.appliesTo(type)) {
        out.add(p);
      }
    }
    return out;
  }

  /** A Phylax id, or null when the text is not one. */
  static UUID uuid(String text) {
    return text != null && UUID_TEXT.matcher(text).matches() ? UUID.fromString(text) : null;
  }
}
