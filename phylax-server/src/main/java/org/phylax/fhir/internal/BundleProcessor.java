package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.util.FhirTerser;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.BundleType;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;
import org.phylax.records.VersionConflictException;

/**
 * Transaction and batch bundles ({@code POST /fhir}). A transaction is all or nothing: every entry
 * is parsed, its conditions resolved and its access decided (each through the access gate, audited
 * on its own, the audit events committed together) before anything is written, and then every write
 * happens in one database transaction; the first failure anywhere answers an OperationOutcome
 * naming the entry's index, and nothing is written. A batch runs each entry as a transaction of its
 * own and answers a response bundle with each entry's status.
 *
 * <p>References to other entries by {@code fullUrl} ({@code urn:uuid:…}) are rewritten to the ids
 * the store assigns, in every Reference of every resource (found with HAPI's terser); creates run
 * level by level, each entry after the entries it refers to, a level's creates written together
 * ({@code RecordStore.createAll}). Conditional references ({@code
 * Practitioner?identifier=system|value}) resolve to an entry of the bundle with that identifier,
 * else to the one stored resource with it. A resource of a Patient created in the same transaction
 * is decided by the role table alone, as that Patient's registration is.
 */
final class BundleProcessor {

  /** The most entries a bundle may have. */
  static final int MAX_ENTRIES = 5_000;

  /** The most creates written with one {@code createAll}. */
  private static final int CHUNK = 500;

  private static final Pattern CONDITIONAL = Pattern.compile("([A-Z][A-Za-z]+)\\?(.+)");

  private final FhirContext fhir;
  private final RecordAccess access;
  private final ConditionalMatches conditionals;

  BundleProcessor(FhirContext fhir, RecordAccess access, ConditionalMatches conditionals) {
    this.fhir = fhir;
    this.access = access;
    this.conditionals = conditionals;
  }

  /**
   * Runs a transaction or batch bundle.
   *
   * @throws Outcomes.Failure for a bundle that is not a transaction or batch, too large, or (a
   *     transaction) any entry that fails, named by its index
   */
  Bundle process(Bundle bundle, FhirCallers.Caller caller) {
    BundleType type = bundle.getType();
    if (type != BundleType.TRANSACTION && type != BundleType.BATCH) {
      throw new Outcomes.Failure(
          400,
          IssueType.INVALID,
          "POST /fhir takes a Bundle of type transaction or batch, not "
              + (type == null ? "one without a type" : type.toCode())
              + ".");
    }
    if (bundle.getEntry().size() > MAX_ENTRIES) {
      throw new Outcomes.Failure(
          413,
          IssueType.TOOCOSTLY,
          "A bundle may have at most "
              + MAX_ENTRIES
              + " entries; this one has "
              + bundle.getEntry().size()
              + ". Split it.");
    }
    // The parser links a reference to the entry whose fullUrl it names; the terser would follow
    // such a link into the other entry's resource, so every reference is unlinked first and each
    // resource's references are its own.
    for (BundleEntryComponent entry : bundle.getEntry()) {
      if (entry.getResource() != null) {
        for (Reference ref :
            fhir.newTerser()
                .getAllPopulatedChildElementsOfType(entry.getResource(), Reference.class)) {
          ref.setResource(null);
        }
      }
    }
    return type == BundleType.TRANSACTION ? transaction(bundle, caller) : batch(bundle, caller);
  }

  // ---------------------------------------------------------------- transaction

  private Bundle transaction(Bundle bundle, FhirCallers.Caller caller) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < bundle.getEntry().size(); i++) {
      int index = i;
      entries.add(attempt(i, () -> Entry.of(bundle.getEntry().get(index), index)));
    }
    Map<String, Entry> byFullUrl = new HashMap<>();
    for (Entry e : entries) {
      if (e.fullUrl != null && byFullUrl.putIfAbsent(e.fullUrl, e) != null) {
        throw atEntry(e.index, 400, IssueType.INVALID, "two entries have the same fullUrl");
      }
    }
    run(entries, byFullUrl, caller, new HashMap<>());
    Bundle response = new Bundle().setType(BundleType.TRANSACTIONRESPONSE);
    for (Entry e : entries) {
      response.addEntry().setResponse(e.response());
    }
    return response;
  }

  /**
   * Resolves, decides and writes the entries; {@code created} maps fullUrls of entries written
   * before (by earlier entries of a batch) to their references.
   */
  private void run(
      List<Entry> entries,
      Map<String, Entry> byFullUrl,
      FhirCallers.Caller caller,
      Map<String, String> created) {
    // 1. Conditional creates and conditional references, before anything is decided or written.
    for (Entry e : entries) {
      attempt(
          e.index,
          () -> {
            if (e.ifNoneExist != null) {
              var condition = ConditionalMatches.parse(e.type, e.ifNoneExist);
              List<StoredResource> found = conditionals.find(caller, condition);
              if (found.size() > 1) {
                throw new Outcomes.Failure(
                    412,
                    IssueType.DUPLICATE,
                    "ifNoneExist matches " + found.size() + " resources, not one");
              }
              if (found.size() == 1) {
                e.existing = found.get(0);
                e.status = "200 OK";
              }
            }
            return null;
          });
    }
    Map<String, String> conditional = new HashMap<>();
    for (Entry e : entries) {
      attempt(
          e.index,
          () -> {
            resolveConditionalReferences(e, entries, byFullUrl, caller, conditional);
            return null;
          });
    }
    // 2. Order: deletes, then creates after the entries they refer to, then updates.
    List<Entry> order = order(entries, byFullUrl, created);
    // 3. Decide each entry through the gate, outside the write transaction, so that every
    // attempt's audit event stays whatever happens to the writes.
    Map<Entry, UUID> placeholders = new HashMap<>();
    for (Entry e : order) {
      if (e.method == HTTPVerb.POST && e.existing == null) {
        placeholders.put(e, UUID.randomUUID());
      }
    }
    Set<UUID> newPatients = new LinkedHashSet<>();
    placeholders.forEach(
        (e, p) -> {
          if ("Patient".equals(e.type)) {
            newPatients.add(p);
          }
        });
    List<Entry> deciding = new ArrayList<>();
    List<AccessRequest> requests = new ArrayList<>();
    for (Entry e : order) {
      AccessRequest request =
          attempt(e.index, () -> request(e, caller, byFullUrl, created, placeholders, newPatients));
      if (request != null) {
        deciding.add(e);
        requests.add(request);
      }
    }
    // The audit events of all the decisions are committed together: one commit per entry would
    // cost a large bundle most of its time.
    List<AccessGate.Entered> entered = access.gate().enterAll(requests);
    for (int i = 0; i < deciding.size(); i++) {
      Entry e = deciding.get(i);
      AccessGate.Entered outcome = entered.get(i);
      e.permit = attempt(e.index, outcome::permit);
    }
    // 4. Write, all in one transaction: creates in chunks (one createAll each), which is much
    // faster than one at a time but cannot name the entry that failed; after a failure the writes
    // are tried again one by one, in a new transaction, to name it.
    try {
      write(order, byFullUrl, created, CHUNK);
    } catch (RuntimeException chunked) {
      write(order, byFullUrl, created, 1);
    }
    for (Entry e : order) {
      if (e.fullUrl != null && e.stored() != null) {
        created.put(e.fullUrl, e.type + "/" + e.stored().id());
      }
    }
  }

  /**
   * Writes the entries in one database transaction, creates in chunks of up to {@code chunk}; on a
   * failure, rolls back and throws it named by the entry (by the first of its chunk, for a chunk of
   * several).
   */
  private void write(
      List<Entry> order, Map<String, Entry> byFullUrl, Map<String, String> created, int chunk) {
    Entry[] failed = new Entry[1];
    try {
      access
          .store()
          .inTransaction(
              () -> {
                Map<String, String> written = new HashMap<>(created);
                List<Entry> pending = new ArrayList<>();
                Set<Entry> buffered = new HashSet<>();
                for (Entry e : order) {
                  Resource prepared = prepare(e, byFullUrl, written, buffered);
                  boolean create = e.method == HTTPVerb.POST && e.existing == null;
                  if (!pending.isEmpty()
                      && (!create
                          || pending.size() >= chunk
                          || !samePermit(pending.get(0).permit, e.permit)
                          || refersTo(e, byFullUrl, buffered))) {
                    flush(pending, buffered, written, failed);
                    prepared = prepare(e, byFullUrl, written, buffered);
                  }
                  if (create) {
                    e.prepared = prepared;
                    pending.add(e);
                    buffered.add(e);
                  } else {
                    failed[0] = e;
                    write(e, prepared);
                    wrote(e, written);
                  }
                }
                flush(pending, buffered, written, failed);
                failed[0] = null;
                return null;
              });
    } catch (RuntimeException thrown) {
      for (Entry e : order) {
        e.result = null; // rolled back
        e.prepared = null;
      }
      int index = failed[0] == null ? order.get(0).index : failed[0].index;
      throw atEntry(index, thrown);
    }
  }

  /** Creates the pending entries with one {@code createAll}. */
  private void flush(
      List<Entry> pending, Set<Entry> buffered, Map<String, String> written, Entry[] failed) {
    if (pending.isEmpty()) {
      return;
    }
    failed[0] = pending.get(0);
    List<Resource> resources = new ArrayList<>(pending.size());
    pending.forEach(e -> resources.add(e.prepared));
    List<StoredResource> stored = access.store().createAll(pending.get(0).permit, resources);
    for (int i = 0; i < pending.size(); i++) {
      Entry e = pending.get(i);
      e.result = stored.get(i);
      e.status = "201 Created";
      e.prepared = null;
      wrote(e, written);
    }
    pending.clear();
    buffered.clear();
  }

  private static void wrote(Entry e, Map<String, String> written) {
    if (e.fullUrl != null && e.stored() != null) {
      written.put(e.fullUrl, e.type + "/" + e.stored().id());
    }
  }

  /** Whether the entry refers to an entry whose create is still buffered. */
  private boolean refersTo(Entry e, Map<String, Entry> byFullUrl, Set<Entry> buffered) {
    if (e.resource == null || buffered.isEmpty()) {
      return false;
    }
    for (Reference ref : refs(e)) {
      if (buffered.contains(byFullUrl.get(ref.getReference()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether two permits allow the same: a chunk is written with its first entry's permit, which
   * must then be the decision of every entry in it.
   */
  private static boolean samePermit(Permit a, Permit b) {
    return a == b
        || (a.actor().equals(b.actor())
            && a.reason() == b.reason()
            && a.purpose().equals(b.purpose())
            && a.patients().equals(b.patients()));
  }

  private void resolveConditionalReferences(
      Entry e,
      List<Entry> entries,
      Map<String, Entry> byFullUrl,
      FhirCallers.Caller caller,
      Map<String, String> resolved) {
    if (e.resource == null) {
      return;
    }
    for (Reference ref : refs(e)) {
      Matcher m = CONDITIONAL.matcher(ref.getReference());
      if (!m.matches()) {
        continue;
      }
      String key = ref.getReference();
      String target = resolved.get(key);
      if (target == null) {
        var condition = ConditionalMatches.parse(m.group(1), m.group(2));
        List<Entry> inBundle = new ArrayList<>();
        for (Entry other : entries) {
          if (other.method == HTTPVerb.POST
              && other.resource != null
              && condition.matches(other.resource)) {
            inBundle.add(other);
          }
        }
        if (inBundle.size() > 1) {
          throw new Outcomes.Failure(
              412,
              IssueType.DUPLICATE,
              "a conditional reference to " + m.group(1) + " matches more than one entry");
        }
        if (inBundle.size() == 1) {
          Entry other = inBundle.get(0);
          if (other.fullUrl == null) {
            other.fullUrl = "urn:phylax:entry:" + other.index;
            byFullUrl.put(other.fullUrl, other);
          }
          target = other.fullUrl;
        } else {
          List<StoredResource> found = conditionals.find(caller, condition);
          if (found.size() != 1) {
            throw new Outcomes.Failure(
                found.isEmpty() ? 404 : 412,
                found.isEmpty() ? IssueType.NOTFOUND : IssueType.DUPLICATE,
                "a conditional reference to "
                    + m.group(1)
                    + " matches "
                    + (found.isEmpty() ? "no resource" : found.size() + " resources, not one"));
          }
          target = m.group(1) + "/" + found.get(0).id();
        }
        resolved.put(key, target);
      }
      ref.setReference(target);
    }
  }

  /** Deletes first, then creates after what they refer to (in bundle order otherwise), updates. */
  private List<Entry> order(
      List<Entry> entries, Map<String, Entry> byFullUrl, Map<String, String> created) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.method == HTTPVerb.DELETE) {
        out.add(e);
      }
    }
    Map<Entry, Set<Entry>> needs = new HashMap<>();
    Map<Entry, List<Entry>> dependencies = new HashMap<>();
    Map<Entry, List<Entry>> neededBy = new HashMap<>();
    List<Entry> creates = new ArrayList<>();
    for (Entry e : entries) {
      if (e.method != HTTPVerb.POST) {
        continue;
      }
      creates.add(e);
      Set<Entry> deps = new LinkedHashSet<>();
      if (e.existing == null) {
        for (Reference ref : refs(e)) {
          Entry target = byFullUrl.get(ref.getReference());
          if (target == null
              && isLocal(ref.getReference())
              && !created.containsKey(ref.getReference())) {
            throw atEntry(
                e.index,
                400,
                IssueType.NOTFOUND,
                "a reference names a fullUrl that no entry of the bundle has");
          }
          if (target != null && target != e && target.method == HTTPVerb.POST) {
            deps.add(target);
            neededBy.computeIfAbsent(target, k -> new ArrayList<>()).add(e);
          }
        }
      }
      needs.put(e, deps);
      dependencies.put(e, List.copyOf(deps));
    }
    Deque<Entry> ready = new ArrayDeque<>();
    for (Entry e : creates) {
      if (needs.get(e).isEmpty()) {
        ready.add(e);
      }
    }
    List<Entry> sorted = new ArrayList<>();
    while (!ready.isEmpty()) {
      Entry e = ready.poll();
      sorted.add(e);
      for (Entry dependent : neededBy.getOrDefault(e, List.of())) {
        Set<Entry> deps = needs.get(dependent);
        deps.remove(e);
        if (deps.isEmpty()) {
          ready.add(dependent);
        }
      }
    }
    if (sorted.size() < creates.size()) {
      Entry stuck = creates.stream().filter(e -> !sorted.contains(e)).findFirst().orElseThrow();
      throw atEntry(
          stuck.index,
          400,
          IssueType.INVALID,
          "entries that are created refer to each other in a cycle");
    }
    // Level by level (an entry one above the highest it refers to), so that no entry refers to
    // another of its level and the creates of a level can be written together.
    Map<Entry, Integer> level = new HashMap<>();
    for (Entry e : sorted) {
      int above = 0;
      for (Entry dependency : dependencies.get(e)) {
        above = Math.max(above, level.get(dependency) + 1);
      }
      level.put(e, above);
    }
    sorted.sort(java.util.Comparator.comparingInt(level::get));
    out.addAll(sorted);
    for (Entry e : entries) {
      if (e.method == HTTPVerb.PUT) {
        for (Reference ref : refs(e)) {
          if (isLocal(ref.getReference())
              && !byFullUrl.containsKey(ref.getReference())
              && !created.containsKey(ref.getReference())) {
            throw atEntry(
                e.index,
                400,
                IssueType.NOTFOUND,
                "a reference names a fullUrl that no entry of the bundle has");
          }
        }
        out.add(e);
      }
    }
    return out;
  }

  /** The access request of an entry, or null for one that writes nothing. */
  private AccessRequest request(
      Entry e,
      FhirCallers.Caller caller,
      Map<String, Entry> byFullUrl,
      Map<String, String> created,
      Map<Entry, UUID> placeholders,
      Set<UUID> newPatients) {
    switch (e.method) {
      case DELETE -> {
        return RecordAccess.request(
            caller, AccessAction.DELETE, e.type, e.id, access.patientOfStored(e.type, e.id));
      }
      case PUT -> {
        return RecordAccess.request(
            caller, AccessAction.UPDATE, e.type, e.id, access.patientOfStored(e.type, e.id));
      }
      default -> {
        if (e.existing != null) {
          return null; // found by ifNoneExist: nothing to write
        }
        if ("Patient".equals(e.type) || FhirTypes.isDirectory(e.type)) {
          return RecordAccess.request(caller, AccessAction.CREATE, e.type, null, null);
        }
        // Which patient the resource will belong to: references to other new entries stand in
        // as placeholders of their type, so that the store's own rule can tell.
        // (Set on the entry's own resource and put back after, which spares a copy.)
        List<Reference> refs = refs(e);
        String[] sent = new String[refs.size()];
        for (int i = 0; i < sent.length; i++) {
          Reference ref = refs.get(i);
          String r = sent[i] = ref.getReference();
          Entry target = byFullUrl.get(r);
          if (target != null && target.existing != null) {
            ref.setReference(target.type + "/" + target.existing.id());
          } else if (target != null && placeholders.containsKey(target)) {
            ref.setReference(target.type + "/" + placeholders.get(target));
          } else if (created.containsKey(r)) {
            ref.setReference(created.get(r));
          }
        }
        Optional<UUID> patient;
        try {
          patient = access.store().patientOfNew(e.resource);
        } finally {
          for (int i = 0; i < sent.length; i++) {
            refs.get(i).setReference(sent[i]);
          }
        }
        if (patient.isPresent() && newPatients.contains(patient.get())) {
          return RecordAccess.requestForNewPatient(caller, e.type);
        }
        return RecordAccess.request(
            caller, AccessAction.CREATE, e.type, null, patient.orElse(null));
      }
    }
  }

  /**
   * The entry's resource (null for a delete) with its references to other entries set to what they
   * wrote, from the references as they were before the first attempt ({@link Entry#sent}), so that
   * the writes can be tried again; references to entries still buffered stay as sent. The store
   * copies what it is given, so later changes here do not reach what it wrote.
   */
  private Resource prepare(
      Entry e, Map<String, Entry> byFullUrl, Map<String, String> written, Set<Entry> buffered) {
    if (e.resource == null) {
      return null;
    }
    List<Reference> refs = refs(e);
    if (e.sent == null) {
      e.sent = new String[refs.size()];
      for (int i = 0; i < e.sent.length; i++) {
        e.sent[i] = refs.get(i).getReference();
      }
    }
    for (int i = 0; i < e.sent.length; i++) {
      String r = e.sent[i];
      Entry target = byFullUrl.get(r);
      String value = r;
      if (target != null && target.existing != null) {
        value = target.type + "/" + target.existing.id();
      } else if (written.containsKey(r) && !buffered.contains(target)) {
        value = written.get(r);
      }
      refs.get(i).setReference(value);
    }
    return e.resource;
  }

  /** Writes a delete, an update, or a create found by ifNoneExist (which writes nothing). */
  private void write(Entry e, Resource prepared) {
    var store = access.store();
    switch (e.method) {
      case DELETE -> {
        try {
          store.delete(e.permit, e.type, e.id);
        } catch (RecordDeletedException already) {
          // deleting what is deleted succeeds, as for DELETE /fhir/T/id
        }
        e.status = "204 No Content";
      }
      case PUT -> {
        long version = e.ifMatch != null ? e.ifMatch : RecordStore.CURRENT_VERSION;
        try {
          e.result = store.update(e.permit, e.id, version, prepared);
        } catch (VersionConflictException conflict) {
          throw new Outcomes.Failure(412, IssueType.CONFLICT, conflict.getMessage());
        }
        e.status = "200 OK";
      }
      default -> {
        // found by ifNoneExist: nothing to write (other creates are written by flush)
      }
    }
  }

  // ---------------------------------------------------------------- batch

  private Bundle batch(Bundle bundle, FhirCallers.Caller caller) {
    Bundle response = new Bundle().setType(BundleType.BATCHRESPONSE);
    Map<String, String> created = new HashMap<>();
    for (int i = 0; i < bundle.getEntry().size(); i++) {
      int index = i;
      try {
        Entry e = attempt(i, () -> Entry.of(bundle.getEntry().get(index), index));
        Map<String, Entry> byFullUrl = new HashMap<>();
        if (e.fullUrl != null) {
          byFullUrl.put(e.fullUrl, e);
        }
        run(List.of(e), byFullUrl, caller, created);
        response.addEntry().setResponse(e.response());
      } catch (BaseServerResponseException failure) {
        response
            .addEntry()
            .getResponse()
            .setStatus(Integer.toString(failure.getStatusCode()))
            .setOutcome((OperationOutcome) failure.getOperationOutcome());
      }
    }
    return response;
  }

  // ---------------------------------------------------------------- helpers

  /** The entry's references with a value, found once. */
  private List<Reference> refs(Entry e) {
    if (e.refs == null) {
      e.refs = e.resource == null ? List.of() : references(e.resource);
    }
    return e.refs;
  }

  private List<Reference> references(Resource resource) {
    FhirTerser terser = fhir.newTerser();
    List<Reference> out = new ArrayList<>();
    for (Reference ref : terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
      if (ref.hasReference()) {
        out.add(ref);
      }
    }
    return out;
  }

  private static boolean isLocal(String reference) {
    return reference.startsWith("urn:uuid:") || reference.startsWith("urn:oid:");
  }

  private interface Step<T> {
    T run();
  }

  private static <T> T attempt(int index, Step<T> step) {
    try {
      return step.run();
    } catch (RuntimeException thrown) {
      throw atEntry(index, thrown);
    }
  }

  private static EntryFailure atEntry(int index, RuntimeException thrown) {
    if (thrown instanceof EntryFailure already) {
      return already;
    }
    BaseServerResponseException answer = new FhirErrors().translate(thrown);
    OperationOutcome outcome = (OperationOutcome) answer.getOperationOutcome();
    IssueType code =
        outcome != null && outcome.hasIssue() ? outcome.getIssueFirstRep().getCode() : null;
    String diagnostics =
        outcome != null && outcome.hasIssue()
            ? outcome.getIssueFirstRep().getDiagnostics()
            : answer.getMessage();
    return atEntry(
        index, answer.getStatusCode(), code == null ? IssueType.PROCESSING : code, diagnostics);
  }

  private static EntryFailure atEntry(int index, int status, IssueType code, String diagnostics) {
    return new EntryFailure(status, code, "Bundle.entry[" + index + "]: " + diagnostics);
  }

  /** A failure already named by its entry. */
  private static final class EntryFailure extends BaseServerResponseException {
    private static final long serialVersionUID = 1L;

    EntryFailure(int status, IssueType code, String diagnostics) {
      super(status, diagnostics, Outcomes.of(code, diagnostics));
    }
  }

  /** One entry of the bundle, as parsed, and what became of it. */
  private static final class Entry {
    final int index;
    final HTTPVerb method;
    final String type;
    final UUID id;
    final Resource resource;
    final String ifNoneExist;
    final Long ifMatch;
    String fullUrl;
    StoredResource existing;
    Permit permit;
    Resource prepared;
    List<Reference> refs;
    String[] sent;
    StoredResource result;
    String status;

    private Entry(
        int index,
        HTTPVerb method,
        String type,
        UUID id,
        Resource resource,
        String fullUrl,
        String ifNoneExist,
        Long ifMatch) {
      this.index = index;
      this.method = method;
      this.type = type;
      this.id = id;
      this.resource = resource;
      this.fullUrl = fullUrl;
      this.ifNoneExist = ifNoneExist;
      this.ifMatch = ifMatch;
    }

    static Entry of(BundleEntryComponent entry, int index) {
      if (!entry.hasRequest() || entry.getRequest().getMethod() == null) {
        throw bad("has no request.method");
      }
      HTTPVerb method = entry.getRequest().getMethod();
      String url = entry.getRequest().getUrl();
      if (url == null || url.isBlank()) {
        throw bad("has no request.url");
      }
      String path = url.split("\\?", 2)[0].replaceAll("^/+|/+$", "");
      String[] parts = path.split("/");
      String type = parts[0];
      if (!FhirTypes.all().contains(type)) {
        throw new Outcomes.Failure(
            404, IssueType.NOTSUPPORTED, "request.url names a type this server does not keep");
      }
      Resource resource = entry.getResource();
      String fullUrl = entry.hasFullUrl() ? entry.getFullUrl() : null;
      String ifNoneExist =
          entry.getRequest().hasIfNoneExist() ? entry.getRequest().getIfNoneExist() : null;
      Long ifMatch =
          entry.getRequest().hasIfMatch()
              ? RecordResourceProvider.ifMatch(entry.getRequest().getIfMatch())
              : null;
      switch (method) {
        case POST -> {
          if (parts.length != 1 || url.contains("?")) {
            throw bad("a POST's request.url must be the resource type alone");
          }
          requireResource(resource, type);
          resource.setIdElement(null); // the server assigns ids
          return new Entry(index, method, type, null, resource, fullUrl, ifNoneExist, null);
        }
        case PUT, DELETE -> {
          UUID id = parts.length == 2 ? FhirTypes.uuid(parts[1]) : null;
          if (id == null || url.contains("?")) {
            throw bad(
                "a "
                    + method.toCode()
                    + "'s request.url must be <type>/<id> (no conditional update or delete)");
          }
          if (method == HTTPVerb.PUT) {
            requireResource(resource, type);
            if (!resource.getIdElement().hasIdPart()
                || !id.toString().equals(resource.getIdElement().getIdPart())) {
              throw bad("the resource of a PUT must carry the id of its request.url");
            }
          }
          return new Entry(
              index,
              method,
              type,
              id,
              method == HTTPVerb.PUT ? resource : null,
              fullUrl,
              null,
              ifMatch);
        }
        default ->
            throw new Outcomes.Failure(
                400,
                IssueType.NOTSUPPORTED,
                "request.method "
                    + method.toCode()
                    + " is not supported in a bundle here (POST, PUT and DELETE are)");
      }
    }

    private static void requireResource(Resource resource, String type) {
      if (resource == null) {
        throw bad("has no resource");
      }
      if (!type.equals(resource.fhirType())) {
        throw bad("its resource is a " + resource.fhirType() + " but request.url names " + type);
      }
    }

    private static Outcomes.Failure bad(String diagnostics) {
      return new Outcomes.Failure(400, IssueType.INVALID, diagnostics);
    }

    StoredResource stored() {
      return result != null ? result : existing;
    }

    Bundle.BundleEntryResponseComponent response() {
      Bundle.BundleEntryResponseComponent r = new Bundle.BundleEntryResponseComponent();
      r.setStatus(status);
      StoredResource s = stored();
      if (s != null) {
        r.setLocation(s.resourceType() + "/" + s.id() + "/_history/" + s.version());
        r.setEtag("W/\"" + s.version() + "\"");
        r.setLastModified(java.util.Date.from(s.updatedAt()));
      }
      return r;
    }
  }
}
