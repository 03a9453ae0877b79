package org.phylax.reminders.internal;

import java.time.Clock;
import java.time.Duration;
import org.phylax.access.SystemAccess;
import org.phylax.audit.AuditLog;
import org.phylax.records.RecordStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.transaction.support.TransactionTemplate;

@Configuration(proxyBeanMethods = false)
class ReminderConfiguration {

  @Bean
  ReminderSettings reminderSettings(
      @Value("${phylax.reminders.lead:24h}") Duration lead,
      @Value("${phylax.reminders.retry:5m}") Duration retry,
      @Value("${phylax.reminders.zone:UTC}") String zone,
      @Value("${phylax.reminders.from:phylax@localhost}") String from,
      @Value("${phylax.web.base-url:http://localhost:${server.port:8080}}") String baseUrl) {
    return ReminderSettings.of(lead, retry, zone, from, baseUrl);
  }

  @Bean
  MailAppointmentReminders appointmentReminders(
      RecordStore store,
      SystemAccess system,
      AuditLog audit,
      ObjectProvider<JavaMailSender> mail,
      JdbcTemplate jdbc,
      TransactionTemplate tx,
      ReminderSettings settings,
      ObjectProvider<Clock> clock) {
    return new MailAppointmentReminders(
        store,
        system.forTask("reminders"),
        audit,
        mail,
        jdbc,
        tx,
        settings,
        clock.getIfAvailable(Clock::systemUTC));
  }
}
