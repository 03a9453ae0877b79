package org.phylax.records.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Schedule;
import org.junit.jupiter.api.Test;
import org.phylax.records.SearchParameter;
import org.phylax.records.TextMatch;

/** The type table against SearchParameter's public lists, and the name prefix tokens. */
class CompartmentsTests {

  private static List<Compartments.Row> rows() {
    return StreamSupport.stream(Compartments.rows().spliterator(), false).toList();
  }

  @Test
  void typeListsWhenComparedWithTheTableThenAgree() {
    Set<String> listed = new HashSet<>(SearchParameter.ClinicalTypes.ALL);
    listed.addAll(SearchParameter.CompartmentTypes.ALL);
    listed.addAll(SearchParameter.DirectoryTypes.ALL);
    listed.add("Patient");
    assertThat(Compartments.types()).containsExactlyInAnyOrderElementsOf(listed).hasSize(32);
    assertThat(
            rows().stream()
                .filter(r -> !r.ownedByPatient())
                .map(r -> r.type)
                .collect(Collectors.toSet()))
        .isEqualTo(SearchParameter.DirectoryTypes.ALL);
    assertThat(rows().stream().filter(Compartments.Row::hasCode).map(r -> r.type))
        .containsExactlyInAnyOrderElementsOf(SearchParameter.CODE.resourceTypes());
    assertThat(rows().stream().filter(Compartments.Row::hasDate).map(r -> r.type))
        .containsExactlyInAnyOrderElementsOf(SearchParameter.DATE.resourceTypes());
  }

  @Test
  void ownerOfWhenScheduleNamesAPatientThenRefusedNamingTheElement() {
    Schedule schedule = new Schedule();
    schedule.addActor(new Reference("Patient/0b1e2a4c-5d6f-4a8b-9c0d-1e2f3a4b5c6d"));
    assertThatThrownBy(() -> Compartments.ownerOf(schedule))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Schedule.actor names a Patient; the record store keeps Schedule resources of no"
                + " patient");
  }

  @Test
  void entriesWhenNameThenPrefixesOfEachWordFromThreeToSixteenCharacters() {
    Patient p = new Patient();
    p.addName(new HumanName().setFamily("Vasquez-Smitherington"));
    Set<String> prefixes =
        ResourceIndexer.entries(p).stream()
            .filter(e -> e.prefix() && e.parameter() == SearchParameter.FAMILY)
            .map(IndexEntry::normalized)
            .collect(Collectors.toSet());
    Set<String> expected = new java.util.HashSet<>();
    String whole = "vasquez-smitherington";
    for (int n = 3; n <= 16; n++) {
      expected.add(whole.substring(0, n)); // from the first word start, up to 16 characters
    }
    String second = "smitherington";
    for (int n = 3; n <= second.length(); n++) {
      expected.add(second.substring(0, n)); // from the second, to the name's end (13)
    }
    assertThat(prefixes).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(prefixes).hasSize(14 + 11).doesNotContain("vasquez-smitheri" + "n");
    assertThat(ResourceIndexer.prefixKey("vasquez smitherington")).isEqualTo("vasquez smitheri");
    assertThat(ResourceIndexer.prefixKey("vasquez smithers")).isEqualTo("vasquez smithers");
    assertThat(TextMatch.MIN_PREFIX_LENGTH).isEqualTo(3);
  }
}
