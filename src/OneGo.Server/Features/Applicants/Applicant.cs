using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using OneGo.Server.Identity;

namespace OneGo.Server.Features.Applicants;

/// <summary>
/// Who an applicant says they are: the name and 居民身份证号 typed in at registration and, for someone acting for an
/// enterprise, its 统一社会信用代码 and name. None of it is proof: the account stays "not real-name verified" until a
/// federated identity provider (the national unified identity service, 国家政务服务平台统一身份认证) vouches for the
/// person, which records who vouched and when. One row per applicant account, in a table of its own, bound to no
/// tenant. The ID number is sensitive personal information (个人信息保护法 Art. 28): it is kept encrypted with the
/// deployment's data-protection keys (<see cref="ApplicantIdNumbers"/>) beside its masked form, is never a subject, a
/// user name, a log field or an audit entry, and is not unique — someone typing another person's number must not be
/// able to keep that person from registering.
/// </summary>
public sealed class Applicant : OneGo.Server.Features.Audit.IAudited
{
    public const int MaxName = 50;
    public const int MaxEnterpriseName = 100;

    /// <summary>The applicant's account, whose id is the immutable subject of their tokens.</summary>
    public Guid AccountId { get; set; }

    /// <summary>姓名, as typed in.</summary>
    public required string Name { get; set; }

    /// <summary>The 居民身份证号, encrypted (<see cref="ApplicantIdNumbers.Protect"/>).</summary>
    public required string IdNumberProtected { get; set; }

    /// <summary>The ID number as lists, pages and officers see it: the first three and the last four characters.</summary>
    public required string IdNumberMasked { get; set; }

    /// <summary>The 统一社会信用代码 of the enterprise the applicant acts for, or null for a person applying for themselves.</summary>
    public string? CreditCode { get; set; }

    public string? EnterpriseName { get; set; }

    /// <summary>The federated identity provider that vouched for the person's name and ID number; null while not real-name verified.</summary>
    public string? VerifiedBy { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>For a walk-in applicant, the region whose comprehensive window registered them (and whose officers act for them); null for people who registered themselves.</summary>
    public string? WindowTenantId { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public bool RealNameVerified => VerifiedBy is not null;

    internal static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<Applicant>(applicant =>
    {
        applicant.ToTable("Applicants");
        applicant.HasKey(a => a.AccountId);
        applicant.HasOne<Account>().WithOne().HasForeignKey<Applicant>(a => a.AccountId).OnDelete(DeleteBehavior.Cascade);
        applicant.Property(a => a.Name).HasMaxLength(MaxName);
        applicant.Property(a => a.IdNumberProtected).HasMaxLength(1024);
        applicant.Property(a => a.IdNumberMasked).HasMaxLength(18);
        applicant.Property(a => a.CreditCode).HasMaxLength(18);
        applicant.Property(a => a.EnterpriseName).HasMaxLength(MaxEnterpriseName);
        applicant.Property(a => a.VerifiedBy).HasMaxLength(200);
        applicant.Property(a => a.WindowTenantId).HasMaxLength(OneGo.Tenancy.TenancyModel.TenantIdMaxLength);
        applicant.Ignore(a => a.RealNameVerified);
    });
}

/// <summary>
/// Encrypts and reveals applicants' ID numbers with the deployment's data-protection keys (kept in the database,
/// themselves encrypted with the key-protection certificate, shared by every node), under a purpose of their own so
/// that no other protected value can be turned into one.
/// </summary>
public sealed class ApplicantIdNumbers(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("OneGo.Applicants.IdNumber.v1");

    public string Protect(string idNumber) => _protector.Protect(idNumber);

    /// <summary>The ID number itself: only where it must leave OneGo (a data-sharing request), never for display.</summary>
    public string Reveal(Applicant applicant) => _protector.Unprotect(applicant.IdNumberProtected);
}

/// <summary>
/// The 居民身份证号 of GB 11643-1999: six digits of the registering division (GB/T 2260), the birth date (YYYYMMDD), a
/// three-digit sequence (odd for men, even for women) and a check character (ISO 7064 MOD 11-2: 0–9 or X).
/// </summary>
public static class ResidentIdNumber
{
    // GB 11643-1999: the weight of the i-th digit (i = 1 … 17) is 2^(18-i) mod 11; the check maps the sum mod 11.
    private static ReadOnlySpan<int> Weights => [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>The number in the form OneGo keeps: trimmed, a lowercase x as X.</summary>
    public static string Normalise(string idNumber) => idNumber.Trim().ToUpperInvariant();

    /// <summary>
    /// Why <paramref name="idNumber"/> (normalised) is not a 居民身份证号 — the rule broken (<c>length</c>, <c>digits</c>,
    /// <c>birth-date</c> or <c>check</c>) and a sentence — or null when it is one.
    /// </summary>
    public static (string Rule, string Message)? Check(string idNumber, DateOnly today)
    {
        if (idNumber.Length != 18)
        {
            return ("length", $"A 居民身份证号 has 18 characters (GB 11643-1999); this one has {idNumber.Length}.");
        }

        if (idNumber.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9') || (!char.IsAsciiDigit(idNumber[17]) && idNumber[17] != 'X'))
        {
            return ("digits", "A 居民身份证号 is 17 digits and a check character, a digit or X.");
        }

        if (!DateOnly.TryParseExact(idNumber.AsSpan(6, 8), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var born)
            || born.Year < 1900 || born > today)
        {
            return ("birth-date", $"Characters 7 to 14 of a 居民身份证号 are the birth date (YYYYMMDD); '{idNumber.Substring(6, 8)}' is not a date of birth.");
        }

        var expected = CheckCharacter(idNumber.AsSpan(0, 17));
        return idNumber[17] == expected
            ? null
            : ("check", $"This number fails the check of GB 11643-1999: computed from its first 17 digits, its 18th character would be '{expected}', not '{idNumber[17]}'. A digit is mistyped.");
    }

    /// <summary>The check character of GB 11643-1999 for the first 17 digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>The number as lists and pages show it: the first three and the last four characters, the rest starred.</summary>
    public static string Mask(string idNumber) =>
        idNumber.Length <= 7 ? new string('*', idNumber.Length) : idNumber[..3] + new string('*', idNumber.Length - 7) + idNumber[^4..];
}
