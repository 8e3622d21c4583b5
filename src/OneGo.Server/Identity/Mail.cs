using System.ComponentModel.DataAnnotations;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using OneGo.Server.Data;
using OneGo.Server.Hosting;

namespace OneGo.Server.Identity;

/// <summary>
/// Where OneGo's mail goes: an SMTP server (<c>Mail:Host</c>, <c>Mail:Port</c>, <c>Mail:UserName</c>,
/// <c>Mail:Password</c>, <c>Mail:Security</c> none|starttls|tls, <c>Mail:From</c>), or — in Development and
/// Testing without a host — <c>.eml</c> files in <c>Mail:PickupFolder</c> (App_Data/mail). Outside them a host is
/// required: set-password links travel by mail only.
/// </summary>
public sealed class MailSettings : ISettings
{
    public static string Section => "Mail";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary><c>none</c>, <c>starttls</c> (when offered) or <c>tls</c> (implicit).</summary>
    [OneOf("none", "starttls", "tls")]
    public string Security { get; set; } = "starttls";

    public string From { get; set; } = "OneGo 一件事一次办 <no-reply@onego.gov.cn>";

    public string PickupFolder { get; set; } = "App_Data/mail";

    IEnumerable<string> ISettings.Problems(IHostEnvironment environment)
    {
        if (Host is not { Length: > 0 } && !environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
        {
            yield return "Mail:Host is not set. Set-password links and account notices go by mail only: name the SMTP server (Mail:Host, Mail:Port, Mail:From).";
        }

        if (!MailboxAddress.TryParse(From, out _))
        {
            yield return $"Mail:From is '{From}', which is not a mail address such as OneGo <no-reply@onego.gov.cn>.";
        }
    }
}

/// <summary>
/// A message waiting to go, or gone. Queued in the same save as the change that causes it (an approved grant, a
/// re-issued link), so an accepted change never loses its mail; a relay sends it and retries with backoff. The
/// body (which may hold a set-password link) is encrypted with data protection and cleared once sent.
/// </summary>
public sealed class OutgoingMail
{
    public long Id { get; set; }

    public required string To { get; set; }

    public required string Subject { get; set; }

    /// <summary>The plain-text body, protected; null once sent.</summary>
    public string? Body { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>A node that took the message holds it until then; another node may take it after.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Why the last attempt failed, as a class ("connection refused", "rejected by the server"), never raw text.</summary>
    public string? LastError { get; set; }
}

/// <summary>Queues mail in the caller's unit of work; the relay sends it once the caller has saved.</summary>
public sealed class Mailer(OneGoDbContext db, IDataProtectionProvider protection, TimeProvider clock, MailRelay relay)
{
    internal const string Purpose = "OneGo.Mail.Body";

    /// <summary>Adds the message to the context's pending changes: it is queued when the caller saves.</summary>
    public void Queue(string to, string subject, string body)
    {
        var now = clock.Now();
        db.Add(new OutgoingMail
        {
            To = to,
            Subject = subject,
            Body = protection.CreateProtector(Purpose).Protect(body),
            CreatedAt = now,
            NextAttemptAt = now,
        });
        relay.Nudge();
    }
}

/// <summary>
/// Sends queued mail: at once when nudged after a save, otherwise every few seconds; each message is leased by one
/// node, sent, and its body cleared; a failure waits 30 s, 1 min, 2 min … (at most an hour) before the next try.
/// </summary>
public sealed class MailRelay(IServiceScopeFactory scopes, IOptions<MailSettings> settings, IHostEnvironment environment, TimeProvider clock, ILogger<MailRelay> logger) : BackgroundService
{
    private readonly SemaphoreSlim _nudge = new(0, 1);

    public void Nudge()
    {
        if (_nudge.CurrentCount == 0)
        {
            try
            {
                _nudge.Release();
            }
            catch (SemaphoreFullException)
            {
                // Nudged twice at once: one wake-up is enough.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The database may be migrating or away for a moment: the next round tries again.
                logger.LogWarning(error, "Sending queued mail failed; trying again shortly");
            }

            try
            {
                await _nudge.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends every message that is due; returns how many went.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGoDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector(Mailer.Purpose);
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            return 0;
        }

        var now = clock.Now();
        var due = await db.Set<OutgoingMail>().AsNoTracking()
            .Where(m => m.SentAt == null && m.NextAttemptAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now))
            .OrderBy(m => m.Id).Take(20).Select(m => m.Id).ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var id in due)
        {
            var lease = now.AddMinutes(2);
            // Taken by exactly one node: the update succeeds only where no live lease is held.
            var taken = await db.Set<OutgoingMail>()
                .Where(m => m.Id == id && m.SentAt == null && (m.LeaseUntil == null || m.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, lease), cancellationToken);
            if (taken == 0)
            {
                continue;
            }

            var mail = await db.Set<OutgoingMail>().AsNoTracking().SingleAsync(m => m.Id == id, cancellationToken);
            string? error;
            try
            {
                await DeliverAsync(mail.To, mail.Subject, protector.Unprotect(mail.Body!), mail.Id, cancellationToken);
                error = null;
            }
            catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                error = failure switch
                {
                    System.Net.Sockets.SocketException => "the mail server could not be reached",
                    SmtpCommandException => "the mail server refused the message",
                    SmtpProtocolException => "the mail server did not follow the protocol",
                    AuthenticationException => "the mail server refused OneGo's credentials",
                    TimeoutException or OperationCanceledException => "the mail server did not answer in time",
                    _ => "sending failed",
                };
                logger.LogWarning(failure, "Mail {Id} to {To} was not sent ({Reason}); it will be tried again", mail.Id, mail.To, error);
            }

            var attempts = mail.Attempts + 1;
            if (error is null)
            {
                await db.Set<OutgoingMail>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.SentAt, clock.Now()).SetProperty(m => m.Body, (string?)null).SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null).SetProperty(m => m.LastError, (string?)null), cancellationToken);
                sent++;
            }
            else
            {
                var wait = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Min(attempts - 1, 10))));
                var next = clock.Now() + wait;
                await db.Set<OutgoingMail>().Where(m => m.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Attempts, attempts).SetProperty(m => m.NextAttemptAt, next)
                    .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null).SetProperty(m => m.LastError, error), cancellationToken);
            }
        }

        return sent;
    }

    private async Task DeliverAsync(string to, string subject, string body, long id, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        var options = settings.Value;
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = $"onego-{id}@onego.gov.cn";
        message.Body = new TextPart("plain") { Text = body };
        if (options.Host is not { Length: > 0 } host)
        {
            var folder = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.PickupFolder));
            Directory.CreateDirectory(folder);
            // Written under another name, then renamed: whoever reads the folder sees a mail whole or not at all.
            var file = Path.Combine(folder, $"{id:D8}.eml");
            var part = file + ".part";
            await message.WriteToAsync(part, cancellationToken);
            File.Move(part, file, overwrite: true);
            logger.LogInformation("No mail server is configured (Mail:Host): the mail to {To} was written to {File}", to, file);
            return;
        }

        using var smtp = new SmtpClient { Timeout = 30_000 };
        var security = options.Security.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await smtp.ConnectAsync(host, options.Port, security, cancellationToken);
        if (options.UserName is { Length: > 0 } user)
        {
            await smtp.AuthenticateAsync(user, options.Password ?? "", cancellationToken);
        }

        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }
}
