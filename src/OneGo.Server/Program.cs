using OneGo.Server.Hosting;

var (command, options) = Commands.Split(args);
var builder = WebApplication.CreateBuilder(options);
if (command.Length > 0)
{
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}

builder.AddOneGo();
var app = builder.Build();
app.ValidateSettings();

if (command.Length > 0)
{
    return await Commands.RunAsync(app, command);
}

app.MapOneGo();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
