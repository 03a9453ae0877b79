package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.phylax.access.AccessGate;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditSearch;
import org.phylax.records.RecordStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the FHIR server as a servlet at {@code /fhir/*}, beside Spring MVC. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class FhirConfiguration {

  @Bean
  ServletRegistrationBean<PhylaxFhirServer> fhirServlet(
      FhirContext fhir,
      RecordStore store,
      AccessGate gate,
      FhirCallers callers,
      BulkExportJobs exports,
      AuditSearch auditSearch,
      AuditLog auditLog,
      ApplicationEventPublisher events,
      ObjectProvider<Clock> clock) {
    FhirSearch search = new FhirSearch(store, gate, fhir);
    ResourceBodies bodies = new ResourceBodies(fhir);
    RecordAccess access = new RecordAccess(store, gate);
    ConditionalMatches conditionals = new ConditionalMatches(access);
    FhirHistory histories = new FhirHistory(store, gate, callers);
    List<Object> providers = new ArrayList<>();
    for (String type : FhirTypes.all()) {
      providers.add(
          new RecordResourceProvider(
              type, fhir, access, callers, bodies, search, conditionals, histories));
    }
    providers.add(histories);
    providers.add(new ScheduleOperations(access, bodies, callers));
    providers.add(new BulkExportProvider(exports, callers, fhir));
    providers.add(
        new AuditEventProvider(
            auditSearch, auditLog, callers, events, clock.getIfAvailable(Clock::systemUTC)));
    providers.add(
        new SystemProvider(
            new BundleProcessor(fhir, access, conditionals), bodies, access, callers));
    PhylaxFhirServer server =
        new PhylaxFhirServer(
            fhir,
            providers,
            new FhirErrors(),
            new CapabilityStatementCustomizer(search),
            new ExportCapabilities());
    ServletRegistrationBean<PhylaxFhirServer> registration =
        new ServletRegistrationBean<>(server, "/fhir/*");
    registration.setName("fhir");
    registration.setLoadOnStartup(1);
    return registration;
  }
}
