package org.phylax.scheduling;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Optional;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;

/**
 * The IANA time zone a Schedule or Location carries in FHIR's standard extension, which is how
 * Phylax knows what "09:00 on Monday" means for it.
 */
public final class TimeZones {

  /**
   * The standard extension that gives a resource its IANA time zone (a code such as Europe/Berlin).
   */
  public static final String EXTENSION = "http://hl7.org/fhir/StructureDefinition/timezone";

  private TimeZones() {}

  /** The resource's zone; empty when it has none, or one that is not a known IANA zone. */
  public static Optional<ZoneId> of(DomainResource resource) {
    Extension e = resource.getExtensionByUrl(EXTENSION);
    if (e == null || e.getValue() == null || !e.getValue().isPrimitive()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ZoneId.of(e.getValue().primitiveValue()));
    } catch (DateTimeException bad) {
      return Optional.empty();
    }
  }
}
