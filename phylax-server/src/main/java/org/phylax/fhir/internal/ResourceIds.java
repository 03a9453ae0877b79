package org.phylax.fhir.internal;

import org.hl7.fhir.r4.model.IdType;
import org.phylax.records.StoredResource;

/**
 * Puts the stored id, version and time of writing on the resource, where HAPI reads them for the
 * ETag and Last-Modified headers and for links.
 */
final class ResourceIds {

  private ResourceIds() {}

  static void set(StoredResource stored) {
    stored
        .resource()
        .setId(
            new IdType(
                stored.resourceType(), stored.id().toString(), Long.toString(stored.version())));
    stored.resource().getMeta().setVersionId(Long.toString(stored.version()));
    stored
        .resource()
        .getMeta()
        .setLastUpdated(java.util.Date.from(stored.deletedAt().orElse(stored.updatedAt())));
  }
}
