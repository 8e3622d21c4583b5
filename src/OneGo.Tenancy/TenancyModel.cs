using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace OneGo.Tenancy;

/// <summary>
/// The EF Core conventions for tenant-owned entities: a required TenantId, the named query filter
/// <see cref="FilterName"/> and TenantId leading every unique index.
/// </summary>
public static class TenancyModel
{
    /// <summary>The name of the query filter that confines tenant-owned rows to the current scope.</summary>
    public const string FilterName = "Tenant";

    /// <summary>The property every tenant-owned entity carries.</summary>
    public const string TenantIdProperty = nameof(ITenantOwned.TenantId);

    /// <summary>The property every applicant-owned entity carries.</summary>
    public const string ApplicantIdProperty = nameof(IApplicantOwned.ApplicantId);

    /// <summary>The property every department-owned entity carries.</summary>
    public const string DepartmentProperty = nameof(IDepartmentOwned.Department);

    /// <summary>Annotation that marks an entity type as department-owned in the model.</summary>
    public const string DepartmentOwnedAnnotation = "OneGo:DepartmentOwned";

    /// <summary>Annotation that marks an entity type as applicant-owned in the model.</summary>
    public const string ApplicantOwnedAnnotation = "OneGo:ApplicantOwned";

    /// <summary>Longest applicant subject accepted.</summary>
    public const int ApplicantIdMaxLength = 64;

    /// <summary>Annotation that marks an entity type as tenant-owned in the model.</summary>
    public const string TenantOwnedAnnotation = "OneGo:TenantOwned";

    /// <summary>Longest tenant id accepted (dotted pinyin path).</summary>
    public const int TenantIdMaxLength = 128;

    public static bool IsTenantOwned(this IReadOnlyEntityType entityType) =>
        entityType.FindAnnotation(TenantOwnedAnnotation)?.Value is true;

    public static bool IsApplicantOwned(this IReadOnlyEntityType entityType) =>
        entityType.FindAnnotation(ApplicantOwnedAnnotation)?.Value is true;

    public static bool IsDepartmentOwned(this IReadOnlyEntityType entityType) =>
        entityType.FindAnnotation(DepartmentOwnedAnnotation)?.Value is true;

    /// <summary>
    /// Applies the conventions to every entity type implementing <see cref="ITenantOwned"/>. Call it after every
    /// other configuration, so that unique indexes declared by features are already there to be rewritten.
    /// </summary>
    internal static void Apply(ModelBuilder modelBuilder, TenantScopedDbContext context)
    {
        foreach (var entityType in modelBuilder.Model.GetEntityTypes().ToList())
        {
            if (!typeof(ITenantOwned).IsAssignableFrom(entityType.ClrType) || entityType.BaseType is not null)
            {
                continue;
            }

            var builder = modelBuilder.Entity(entityType.ClrType);
            builder.HasAnnotation(TenantOwnedAnnotation, true);
            builder.Property<string>(TenantIdProperty).IsRequired().HasMaxLength(TenantIdMaxLength);
            var applicantOwned = typeof(IApplicantOwned).IsAssignableFrom(entityType.ClrType);
            if (applicantOwned)
            {
                builder.HasAnnotation(ApplicantOwnedAnnotation, true);
                builder.Property<string>(ApplicantIdProperty).IsRequired().HasMaxLength(ApplicantIdMaxLength);
                // An applicant's rows across tenants are found by the applicant first.
                builder.HasIndex(ApplicantIdProperty);
            }

            var departmentOwned = typeof(IDepartmentOwned).IsAssignableFrom(entityType.ClrType);
            if (departmentOwned)
            {
                builder.HasAnnotation(DepartmentOwnedAnnotation, true);
            }

            builder.HasQueryFilter(FilterName, BuildFilter(entityType.ClrType, context, applicantOwned, departmentOwned));

            foreach (var index in entityType.GetIndexes().Where(i => i.IsUnique).ToList())
            {
                if (index.Properties.Count > 0 && index.Properties[0].Name == TenantIdProperty)
                {
                    continue;
                }

                var names = new[] { TenantIdProperty }
                    .Concat(index.Properties.Select(p => p.Name).Where(n => n != TenantIdProperty))
                    .ToArray();
                var indexName = index.Name;
                entityType.RemoveIndex(index);
                var rebuilt = indexName is null ? builder.HasIndex(names) : builder.HasIndex(names, indexName);
                rebuilt.IsUnique();
            }

            if (!entityType.GetIndexes().Any(i => i.Properties.Count > 0 && i.Properties[0].Name == TenantIdProperty))
            {
                builder.HasIndex(TenantIdProperty);
            }
        }
    }

    // e => e.TenantId == ctx.ScopeTenantId || (ctx.ScopeBelowPrefix != null && e.TenantId.StartsWith(ctx.ScopeBelowPrefix))
    // and, for applicant-owned rows:
    //   (… || ctx.ScopeAcrossTenants) && (ctx.ScopeApplicant == null || e.ApplicantId == ctx.ScopeApplicant)
    // and, for department-owned rows:
    //   … && (ctx.ScopeDepartment == null || e.Department == ctx.ScopeDepartment)
    // The context appears as a constant of its own type, which EF Core swaps for the context running the query,
    // so the scope is read at every execution, never baked into the cached model.
    private static LambdaExpression BuildFilter(Type clrType, TenantScopedDbContext context, bool applicantOwned, bool departmentOwned)
    {
        var row = Expression.Parameter(clrType, "row");
        var tenantId = Expression.Call(
            typeof(EF), nameof(EF.Property), [typeof(string)], row, Expression.Constant(TenantIdProperty));
        var ctx = Expression.Constant(context, context.GetType());
        var scopeId = Expression.Property(ctx, nameof(TenantScopedDbContext.ScopeTenantId));
        var belowPrefix = Expression.Property(ctx, nameof(TenantScopedDbContext.ScopeBelowPrefix));
        var startsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;

        var body = Expression.OrElse(
            Expression.Equal(tenantId, scopeId),
            Expression.AndAlso(
                Expression.NotEqual(belowPrefix, Expression.Constant(null, typeof(string))),
                Expression.Call(tenantId, startsWith, belowPrefix)));
        if (applicantOwned)
        {
            var applicantId = Expression.Call(
                typeof(EF), nameof(EF.Property), [typeof(string)], row, Expression.Constant(ApplicantIdProperty));
            var scopeApplicant = Expression.Property(ctx, nameof(TenantScopedDbContext.ScopeApplicant));
            body = Expression.AndAlso(
                Expression.OrElse(body, Expression.Property(ctx, nameof(TenantScopedDbContext.ScopeAcrossTenants))),
                Expression.OrElse(
                    Expression.Equal(scopeApplicant, Expression.Constant(null, typeof(string))),
                    Expression.Equal(applicantId, scopeApplicant)));
        }

        if (departmentOwned)
        {
            var department = Expression.Call(
                typeof(EF), nameof(EF.Property), [typeof(string)], row, Expression.Constant(DepartmentProperty));
            var scopeDepartment = Expression.Property(ctx, nameof(TenantScopedDbContext.ScopeDepartment));
            body = Expression.AndAlso(body, Expression.OrElse(
                Expression.Equal(scopeDepartment, Expression.Constant(null, typeof(string))),
                Expression.Equal(department, scopeDepartment)));
        }

        return Expression.Lambda(body, row);
    }
}
