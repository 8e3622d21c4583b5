namespace OneGo.Gateway;

// A class of its own, not top-level statements: those would make a public Program that the server's tests, which
// run the gateway in their process, could not tell from the server's.
internal static class Program
{
    // dotnet infra/gateway/bin/Release/net10.0/OneGo.Gateway.dll --urls=http://0.0.0.0:8080 \
    //   --Gateway:Nodes:0=http://10.0.0.11:8080 --Gateway:Nodes:1=http://10.0.0.12:8080 --Gateway:Nodes:2=http://10.0.0.13:8080 \
    //   --Gateway:ConnectFrom=10.0.0.5
    public static Task Main(string[] args) => GatewayHost.Build(args).RunAsync();
}
