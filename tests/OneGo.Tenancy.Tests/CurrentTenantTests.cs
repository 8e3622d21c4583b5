namespace OneGo.Tenancy.Tests;

public sealed class CurrentTenantTests
{
    [Fact]
    public void LeavingAScopeRestoresThePreviousOne()
    {
        var tenants = new CurrentTenant();
        Assert.Null(tenants.Id);
        using (tenants.Enter("fujian"))
        {
            using (tenants.Enter("fujian.xiamen"))
            {
                Assert.Equal("fujian.xiamen", tenants.Id);
            }

            Assert.Equal("fujian", tenants.Id);
        }

        Assert.Null(tenants.Id);
    }

    [Fact]
    public async Task ScopesDoNotLeakAcrossConcurrentFlows()
    {
        var tenants = new CurrentTenant();
        var seen = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using (tenants.Enter($"t{i}"))
            {
                await Task.Yield();
                await Task.Delay(1);
                return tenants.Id == $"t{i}";
            }
        }));
        Assert.All(seen, Assert.True);
        Assert.Null(tenants.Id);
    }

    [Fact]
    public void OnlyAnApplicantsScopeMayHaveNoTenant()
    {
        var tenants = new CurrentTenant();
        Assert.Throws<ArgumentException>(() => tenants.Enter(""));
        Assert.Throws<ArgumentException>(() => tenants.EnterApplicant(""));
        Assert.Throws<ArgumentException>(() => tenants.EnterAsApplicant("", "zhang"));
        using (tenants.EnterApplicant("zhang"))
        {
            Assert.Null(tenants.Id);
            Assert.Equal("zhang", tenants.Scope?.Applicant);
        }

        Assert.Null(tenants.Scope);
    }

    [Fact]
    public void LeavingOutOfOrderIsRefused()
    {
        var tenants = new CurrentTenant();
        var outer = tenants.Enter("a");
        using var inner = tenants.Enter("b");
        Assert.Throws<InvalidOperationException>(outer.Dispose);
    }
}
