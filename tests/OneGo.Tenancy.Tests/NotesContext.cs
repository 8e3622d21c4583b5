using Microsoft.EntityFrameworkCore;

namespace OneGo.Tenancy.Tests;

/// <summary>A tenant-owned row for testing the mechanism alone, away from the product's model.</summary>
public sealed class Note : ITenantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public required string Code { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>An applicant-owned row (an application, in the product) for testing the applicant's scopes.</summary>
public sealed class Letter : IApplicantOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public string ApplicantId { get; set; } = "";

    public string Text { get; set; } = "";
}

/// <summary>A row of one department of one tenant, as a case is.</summary>
public sealed class Docket : IDepartmentOwned
{
    public long Id { get; set; }

    public string TenantId { get; set; } = "";

    public string Department { get; set; } = "";

    public string Text { get; set; } = "";
}

/// <summary>A row shared by all tenants.</summary>
public sealed class Country
{
    public long Id { get; set; }

    public required string Name { get; set; }
}

public sealed class NotesContext(DbContextOptions<NotesContext> options, CurrentTenant tenants)
    : TenantScopedDbContext(options, tenants)
{
    public DbSet<Note> Notes => Set<Note>();

    public DbSet<Letter> Letters => Set<Letter>();

    public DbSet<Country> Countries => Set<Country>();

    public DbSet<Docket> Dockets => Set<Docket>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Note>().HasIndex(n => n.Code).IsUnique();
        modelBuilder.Entity<Letter>();
        modelBuilder.Entity<Country>();
        modelBuilder.Entity<Docket>();
    }
}
