package org.phylax.cli;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.Permit;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.phylax.identity.Actor;
import org.phylax.records.RecordStore;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;

/**
 * Loads FHIR JSON files into the record store for {@code ./phylax import}: Bundles (transaction,
 * batch or collection; their entries' resources are created, the request parts ignored) and NDJSON
 * (one resource per line, as a bulk export writes them). Each file is one database transaction: it
 * loads whole or not at all, and a failure names the file and the line (NDJSON) or entry index
 * (Bundle, from 0) without quoting the content.
 *
 * <p>References are rewritten to the ids the store assigns: a Bundle entry's {@code fullUrl}
 * ({@code urn:uuid:…}) and every resource's own {@code Type/id} (for NDJSON files that reference
 * each other, within one run); conditional references {@code Type?identifier=system|value} resolve
 * to the stored resource with that identifier. Within a Bundle, directory resources are written
 * first, then Patients, then Encounters, then the rest, then Provenance.
 *
 * <p>Re-running an import creates no duplicates: a Patient, Organization, Practitioner,
 * PractitionerRole or Location whose first identifier with a system is already stored is matched
 * (not written; references to it point to the stored one); every other resource is written with
 * {@code meta.source} {@code urn:phylax:import:<fullUrl or Type/id>}, and one of a matched patient
 * whose source is already stored for that patient is matched too. Not matched: resources of no
 * patient without an identifier (Medication, Device inventory, Schedule, Slot) and resources
 * without a fullUrl or id.
 */
final class Importer {

  static final String SOURCE = "urn:phylax:import:";
  private static final Pattern CONDITIONAL = Pattern.compile("([A-Z][A-Za-z]+)\\?identifier=(.+)");

  /** Counts per type: created and matched (already stored). */
  static final class Counts {
    final Map<String, Integer> created = new TreeMap<>();
    final Map<String, Integer> matched = new TreeMap<>();

    int total() {
      return created.values().stream().mapToInt(Integer::intValue).sum()
          + matched.values().stream().mapToInt(Integer::intValue).sum();
    }

    void add(Counts other) {
      other.created.forEach((t, n) -> created.merge(t, n, Integer::sum));
      other.matched.forEach((t, n) -> matched.merge(t, n, Integer::sum));
    }
  }

  /** A file that did not load, with where and why (no content quoted). */
  static final class FileProblem extends RuntimeException {
    FileProblem(String message) {
      super(message);
    }
  }

  private final RecordStore records;
  private final Permit permit;
  private final AuditLog audit;
  private final Actor operator;
  private final IParser parser;
  private final FhirContext fhir;
  private final Map<String, String> mapped = new HashMap<>();
  private final Set<UUID> matchedPatients = new HashSet<>();
  private final Map<String, Set<String>> storedSources = new HashMap<>();
  private final List<Resource> pending = new ArrayList<>();
  private final List<String[]> pendingKeys = new ArrayList<>();
  private final Set<String> pendingRefs = new HashSet<>();
  private final List<String> pendingWhere = new ArrayList<>();
  static final int CHUNK = 500;

  Importer(RecordStore records, Permit permit, AuditLog audit, Actor operator, FhirContext fhir) {
    this.records = records;
    this.permit = permit;
    this.audit = audit;
    this.operator = operator;
    this.fhir = fhir;
    this.parser = fhir.newJsonParser();
  }

  /** Loads one file in one transaction; throws {@link FileProblem} naming where it failed. */
  Counts load(Path file) {
    String name = file.getFileName().toString();
    List<Item> items = read(file, name);
    Map<String, String> before = new HashMap<>(mapped);
    Set<UUID> matchedBefore = new HashSet<>(matchedPatients);
    Counts counts;
    try {
      counts =
          records.inTransaction(
              () -> {
                Counts c = new Counts();
                for (Item item : items) {
                  try {
                    write(item, c);
                  } catch (FileProblem e) {
                    throw new FileProblem(name + ": " + e.getMessage());
                  } catch (RuntimeException e) {
                    throw new FileProblem(name + ": " + item.where + ": " + PhylaxCli.oneLine(e));
                  }
                }
                try {
                  flush(c);
                } catch (FileProblem e) {
                  throw new FileProblem(name + ": " + e.getMessage());
                }
                return c;
              });
    } catch (RuntimeException e) {
      // The transaction rolled back: forget the ids it made.
      pending.clear();
      pendingKeys.clear();
      pendingRefs.clear();
      pendingWhere.clear();
      mapped.clear();
      mapped.putAll(before);
      matchedPatients.retainAll(matchedBefore);
      storedSources.clear();
      throw e instanceof FileProblem ? e : new FileProblem(name + ": " + PhylaxCli.oneLine(e));
    }
    StringBuilder reason =
        new StringBuilder("import of ")
            .append(name)
            .append(" by operator ")
            .append(operator.id())
            .append(':');
    counts.created.forEach((t, n) -> reason.append(' ').append(t).append('=').append(n));
    audit.record(
        AuditEvent.builder(AuditAction.CREATE, AuditEvent.Outcome.SUCCESS)
            .at(Instant.now())
            .actor(permit.actor(), "system", null)
            .entity("Bundle", null, null)
            .reason(reason.toString())
            .build());
    return counts;
  }

  private record Item(Resource resource, String key, String where) {}

  private List<Item> read(Path file, String name) {
    List<Item> items = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      throw new FileProblem(name + ": no such file");
    }
    try {
      if (name.endsWith(".ndjson")) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          int number = 0;
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            number++;
            if (line.isBlank()) {
              continue;
            }
            Resource r = parse(line, name + ": line " + number);
            items.add(new Item(r, ownKey(r), "line " + number));
          }
        }
        return items;
      }
      Resource parsed = parse(Files.readString(file, StandardCharsets.UTF_8), name);
      if (!(parsed instanceof Bundle bundle)) {
        items.add(new Item(parsed, ownKey(parsed), "the resource"));
        return items;
      }
      for (int i = 0; i < bundle.getEntry().size(); i++) {
        Bundle.BundleEntryComponent entry = bundle.getEntry().get(i);
        if (entry.getResource() == null) {
          throw new FileProblem(name + ": entry " + i + ": has no resource");
        }
        Resource r = entry.getResource();
        for (Reference ref :
            fhir.newTerser().getAllPopulatedChildElementsOfType(r, Reference.class)) {
          ref.setResource(null);
        }
        String key = entry.hasFullUrl() ? entry.getFullUrl() : ownKey(r);
        items.add(new Item(r, key, "entry " + i));
      }
      items.sort(Comparator.comparingInt(item -> rank(item.resource.fhirType())));
      return items;
    } catch (IOException e) {
      throw new FileProblem(name + ": cannot be read (" + e.getClass().getSimpleName() + ")");
    } catch (UncheckedIOException e) {
      throw new FileProblem(name + ": cannot be read");
    }
  }

  private Resource parse(String json, String where) {
    try {
      IBaseResource parsed = parser.parseResource(json);
      return (Resource) parsed;
    } catch (DataFormatException | ClassCastException e) {
      // HAPI's message may quote the input; the operator gets where, not what.
      throw new FileProblem(where + ": not a FHIR R4 JSON resource");
    }
  }

  private static String ownKey(Resource r) {
    return r.getIdElement().hasIdPart() ? r.fhirType() + "/" + r.getIdElement().getIdPart() : null;
  }

  private static int rank(String type) {
    return switch (type) {
      case "Organization" -> 0;
      case "Location" -> 1;
      case "Practitioner" -> 2;
      case "PractitionerRole", "Medication" -> 3;
      case "Patient" -> 4;
      case "Encounter" -> 5;
      case "Provenance" -> 7;
      default -> 6;
    };
  }

  private void write(Item item, Counts counts) {
    Resource resource = item.resource.copy();
    String type = resource.fhirType();
    String ownKey = ownKey(resource);
    resource.setIdElement(null);
    List<Reference> refs =
        fhir.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class);
    boolean dependsOnPending = refs.stream().anyMatch(r -> pendingRefs.contains(r.getReference()));
    // Written in chunks: a resource that refers to one still buffered, or of another rank (a
    // Patient after directory resources its conditional references may name), flushes first.
    if (dependsOnPending
        || !pending.isEmpty() && rank(pending.get(pending.size() - 1).fhirType()) != rank(type)) {
      flush(counts);
    }
    for (Reference ref : refs) {
      if (ref.hasReference()) {
        resolve(ref.getReference()).ifPresent(ref::setReference);
      }
    }
    Optional<UUID> existing = matchByIdentifier(resource);
    if (existing.isPresent()) {
      remember(item.key, ownKey, type + "/" + existing.get());
      if (type.equals("Patient")) {
        matchedPatients.add(existing.get());
      }
      counts.matched.merge(type, 1, Integer::sum);
      return;
    }
    String source = item.key == null ? null : SOURCE + item.key;
    if (source != null && !SearchParameter.IDENTIFIER.appliesTo(type)) {
      resource.getMeta().setSource(source);
      Optional<UUID> patient = records.patientOfNew(resource);
      if (patient.isPresent() && matchedPatients.contains(patient.get())) {
        Optional<UUID> stored = storedWithSource(type, patient.get(), source);
        if (stored.isPresent()) {
          remember(item.key, ownKey, type + "/" + stored.get());
          counts.matched.merge(type, 1, Integer::sum);
          return;
        }
      }
    }
    pending.add(resource);
    pendingKeys.add(new String[] {item.key, ownKey});
    pendingWhere.add(item.where);
    if (item.key != null) {
      pendingRefs.add(item.key);
    }
    if (ownKey != null) {
      pendingRefs.add(ownKey);
    }
    if (pending.size() >= CHUNK) {
      flush(counts);
    }
  }

  /**
   * Writes the buffered resources with one {@code createAll} (JDBC batches); a failure names the
   * lines or entries of the chunk, as the store's message names the element but not the resource.
   */
  private void flush(Counts counts) {
    if (pending.isEmpty()) {
      return;
    }
    List<StoredResource> stored;
    try {
      stored = records.createAll(permit, pending);
    } catch (RuntimeException e) {
      String where =
          pendingWhere.size() == 1
              ? pendingWhere.get(0)
              : pendingWhere.get(0) + " to " + pendingWhere.get(pendingWhere.size() - 1);
      throw new FileProblem(where + ": " + PhylaxCli.oneLine(e));
    }
    for (int i = 0; i < stored.size(); i++) {
      String type = stored.get(i).resourceType();
      remember(pendingKeys.get(i)[0], pendingKeys.get(i)[1], type + "/" + stored.get(i).id());
      counts.created.merge(type, 1, Integer::sum);
    }
    pending.clear();
    pendingKeys.clear();
    pendingRefs.clear();
    pendingWhere.clear();
  }

  private void remember(String key, String ownKey, String reference) {
    if (key != null) {
      mapped.put(key, reference);
    }
    if (ownKey != null) {
      mapped.put(ownKey, reference);
    }
  }

  private Optional<String> resolve(String reference) {
    String known = mapped.get(reference);
    if (known != null) {
      return Optional.of(known);
    }
    Matcher m = CONDITIONAL.matcher(reference);
    if (m.matches() && SearchParameter.IDENTIFIER.appliesTo(m.group(1))) {
      List<StoredResource> found =
          records.search(permit, m.group(1), SearchParameter.IDENTIFIER, m.group(2));
      if (found.size() == 1) {
        return Optional.of(m.group(1) + "/" + found.get(0).id());
      }
    }
    return Optional.empty();
  }

  private Optional<UUID> matchByIdentifier(Resource resource) {
    String type = resource.fhirType();
    if (!SearchParameter.IDENTIFIER.appliesTo(type)) {
      return Optional.empty();
    }
    Object ids = fhir.newTerser().getValues(resource, type + ".identifier");
    for (Object o : (List<?>) ids) {
      Identifier identifier = (Identifier) o;
      if (identifier.hasSystem() && identifier.hasValue()) {
        List<StoredResource> found =
            records.search(
                permit,
                type,
                SearchParameter.IDENTIFIER,
                identifier.getSystem() + "|" + identifier.getValue());
        return found.size() == 1 ? Optional.of(found.get(0).id()) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private Optional<UUID> storedWithSource(String type, UUID patient, String source) {
    Set<String> sources =
        storedSources.computeIfAbsent(
            type + "/" + patient,
            k -> {
              Set<String> all = new HashSet<>();
              int offset = 0;
              while (true) {
                List<StoredResource> page =
                    records.listOfPatient(permit, type, patient, offset, 500);
                for (StoredResource s : page) {
                  if (s.resource().getMeta().hasSource()) {
                    all.add(s.resource().getMeta().getSource() + " " + s.id());
                  }
                }
                if (page.size() < 500) {
                  return all;
                }
                offset += 500;
              }
            });
    for (String s : sources) {
      if (s.startsWith(source + " ")) {
        return Optional.of(UUID.fromString(s.substring(source.length() + 1)));
      }
    }
    return Optional.empty();
  }
}
