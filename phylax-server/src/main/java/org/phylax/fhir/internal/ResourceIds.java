package org.phylax.fhir.internal;

import org.hl7.fhir.r4.model.IdType;
import org.phylax.records.StoredResource;

/** Puts the stored id and version on the resource, where HAPI reads them for ETag and links. */
final class ResourceIds {

  private ResourceIds() {}

  static void set(StoredResource stored) {
    stored
        .resource()
        .setId(
            new IdType(
                stored.resourceType(), stored.id().toString(), Long.toString(stored.version())));
    stored.resource().getMeta().setVersionId(Long.toString(stored.version()));
  }
}
