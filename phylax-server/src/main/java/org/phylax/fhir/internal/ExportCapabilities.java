package org.phylax.fhir.internal;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.ResourceInteractionComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;

/**
 * Says in the CapabilityStatement what bulk export and AuditEvent really offer; runs after the
 * general {@link CapabilityStatementCustomizer}, which describes the record types. AuditEvent is
 * read and searched only, without history; Group, a stored type like the others, also carries the
 * Group-level {@code $export}.
 */
final class ExportCapabilities {

  private static final String BULK = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/";

  @Hook(value = Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED, order = 100)
  public void customize(IBaseConformance generated) {
    CapabilityStatement statement = (CapabilityStatement) generated;
    statement.addInstantiates("http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data");
    for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
      for (CapabilityStatement.CapabilityStatementRestResourceOperationComponent op :
          rest.getOperation()) {
        if ("export".equals(op.getName())) {
          op.setDefinition(BULK + "export");
        }
      }
      for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
        for (CapabilityStatement.CapabilityStatementRestResourceOperationComponent op :
            resource.getOperation()) {
          if ("export".equals(op.getName())) {
            op.setDefinition(
                BULK + ("Group".equals(resource.getType()) ? "group-export" : "patient-export"));
          }
        }
        if ("AuditEvent".equals(resource.getType())) {
          resource.setVersioning(CapabilityStatement.ResourceVersionPolicy.NOVERSION);
          resource.setReadHistory(false);
          resource.getInteraction().clear();
          resource.addInteraction(
              new ResourceInteractionComponent().setCode(TypeRestfulInteraction.READ));
          resource.addInteraction(
              new ResourceInteractionComponent().setCode(TypeRestfulInteraction.SEARCHTYPE));
          resource.getSearchParam().clear();
          param(resource, "patient", SearchParamType.REFERENCE, "Patient/<id> or <id>.");
          param(
              resource,
              "date",
              SearchParamType.DATE,
              "yyyy, yyyy-MM, yyyy-MM-dd or an instant; eq, ge, gt, le, lt.");
          param(resource, "agent", SearchParamType.REFERENCE, "An account id.");
          param(resource, "outcome", SearchParamType.TOKEN, "0, 4 (refused) or 8 (failed).");
          param(resource, "action", SearchParamType.TOKEN, "C, R, U, D or E.");
          resource.setDocumentation("Compliance officers only; every read is itself audited.");
        }
      }
    }
  }

  private static void param(
      CapabilityStatementRestResourceComponent resource,
      String name,
      SearchParamType type,
      String documentation) {
    resource.addSearchParam().setName(name).setType(type).setDocumentation(documentation);
  }
}
