package org.phylax.disclosures.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.Organization;
import org.phylax.access.Permit;
import org.phylax.access.RelationshipSource;
import org.phylax.access.SystemAccess;
import org.phylax.identity.Account;
import org.phylax.identity.Accounts;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.RecordStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Who an actor of the audit log is, for a patient's eyes: the account's display name and the names
 * of the organizations its Practitioner works for now (active PractitionerRoles). Directory data
 * holds no PHI, so it is read with a system permit.
 */
@Component
class WorkforceDirectory {

  /** A person as the report shows them. */
  record Person(String name, List<String> organizations) {}

  private final Accounts accounts;
  private final RelationshipSource relationships;
  private final RecordStore records;
  private final SystemAccess system;
  private final Clock clock;

  WorkforceDirectory(
      Accounts accounts,
      RelationshipSource relationships,
      RecordStore records,
      SystemAccess system,
      ObjectProvider<Clock> clock) {
    this.accounts = accounts;
    this.relationships = relationships;
    this.records = records;
    this.system = system;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  Optional<Person> person(UUID accountId) {
    return accounts.findById(accountId).map(this::person);
  }

  private Person person(Account account) {
    String name = account.displayName().orElse(account.username());
    List<String> organizations = new ArrayList<>();
    if (account.practitionerId().isPresent()) {
      UUID practitioner = account.practitionerId().get();
      Permit permit = system.forTask("access-report");
      for (UUID id : relationships.identitiesOf(practitioner, clock.instant())) {
        if (id.equals(practitioner)) {
          continue;
        }
        // The identities mix PractitionerRoles and Organizations; only the latter are found here.
        try {
          Organization org = (Organization) records.read(permit, "Organization", id).resource();
          if (org.hasName() && !organizations.contains(org.getName())) {
            organizations.add(org.getName());
          }
        } catch (RecordNotFoundException | RecordDeletedException notAnOrganization) {
          // a PractitionerRole, or an organization since deleted
        }
      }
    }
    return new Person(name, organizations);
  }
}
