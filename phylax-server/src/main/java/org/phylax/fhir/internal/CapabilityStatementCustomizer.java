package org.phylax.fhir.internal;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;

/**
 * Makes the generated CapabilityStatement say what this server really does: the search parameters
 * it understands (HAPI cannot see them, since one generic search method reads them), versioned
 * updates with If-Match, no update-as-create, conditional create by identifier only, transaction
 * and batch bundles, the subject Patient as the one include, and that a bearer token from this
 * server's OAuth endpoints is required.
 */
final class CapabilityStatementCustomizer {

  private final FhirSearch search;

  CapabilityStatementCustomizer(FhirSearch search) {
    this.search = search;
  }

  @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
  public void customize(IBaseConformance generated) {
    CapabilityStatement statement = (CapabilityStatement) generated;
    statement.setPublisher("Phylax");
    statement.getSoftware().setName("Phylax");
    statement
        .getImplementation()
        .setDescription("Phylax FHIR R4 API over the encrypted record store");
    for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
      rest.getSecurity()
          .setCors(false)
          .setDescription(
              "OAuth 2 bearer tokens from this server (/oauth2/token; SMART configuration at"
                  + " /.well-known/smart-configuration). Every interaction is decided from the"
                  + " user's relationship to the patient and audited.")
          .addService(
              new CodeableConcept(
                  new Coding(
                      "http://terminology.hl7.org/CodeSystem/restful-security-service",
                      "SMART-on-FHIR",
                      "SMART-on-FHIR")));
      boolean batch =
          rest.getInteraction().stream()
              .anyMatch(i -> i.getCode() == CapabilityStatement.SystemRestfulInteraction.BATCH);
      if (!batch) {
        rest.addInteraction()
            .setCode(CapabilityStatement.SystemRestfulInteraction.BATCH)
            .setDocumentation("Each entry on its own; at most 5,000 entries.");
      }
      for (CapabilityStatement.SystemInteractionComponent i : rest.getInteraction()) {
        if (i.getCode() == CapabilityStatement.SystemRestfulInteraction.TRANSACTION) {
          i.setDocumentation(
              "All or nothing in one database transaction; urn:uuid and conditional"
                  + " (Type?identifier=…) references; ifNoneExist; at most 5,000 entries.");
        }
      }
      for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
        resource.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONEDUPDATE);
        resource.setReadHistory(true);
        resource.setUpdateCreate(false);
        // If-None-Exist with identifier=…, for the types with an identifier search.
        resource.setConditionalCreate(
            org.phylax.records.SearchParameter.IDENTIFIER.appliesTo(resource.getType()));
        resource.setConditionalUpdate(false);
        resource.setConditionalRead(CapabilityStatement.ConditionalReadStatus.NOTSUPPORTED);
        resource.setConditionalDelete(CapabilityStatement.ConditionalDeleteStatus.NOTSUPPORTED);
        resource.getSearchInclude().clear();
        for (String include : search.includes(resource.getType())) {
          resource.addSearchInclude(include);
        }
        resource.getSearchRevInclude().clear();
        resource.getSearchParam().clear();
        for (FhirSearch.Supported p : search.supported(resource.getType())) {
          resource
              .addSearchParam()
              .setName(p.name())
              .setType(p.type())
              .setDocumentation(p.documentation());
        }
      }
    }
  }
}
