import Foundation
import Hummingbird
import Metering
import Platform
import Prepaid

/// /ops/meters/:serial (BR-3): one smart meter, what was asked of it and what it answered; an
/// engineer disconnects or reconnects its supply or asks for its diagnostics.
public struct MeterCommandsController: Sendable {
    let database: Database
    let send: SendMeterCommand
    let tokens: PrepaidTokens
    let renderer: PageRenderer
    let routes = Routes.site

    public init(services: AppServices) {
        database = services.database
        send = SendMeterCommand(database: services.database)
        tokens = PrepaidTokens(database: services.database)
        renderer = services.renderer
    }

    public func addRoutes(to site: SiteRouter) {
        site.get(routes.opsMeter, use: show)
        site.post(routes.opsMeterCommand, use: submit)
    }

    struct CommandInput: Decodable { var command: String? }

    @Sendable func show(_ request: Request, context: StaffContext) async throws -> Response {
        try await page(context, notice: try await context.sessionHandle.takeFlash())
    }

    @Sendable func submit(_ request: Request, context: StaffContext) async throws -> Response {
        let meter = try await find(context)
        let input = try await request.decode(as: CommandInput.self, context: context)
        do {
            _ = try await send.run(input.command ?? "", meterID: meter.id, by: context.member.id, clientAddress: context.clientAddress)
            try await context.sessionHandle.flash("Sent. The meter's answer appears below when it comes back.")
            return .redirect(to: routes.opsMeter.url(meter.serial), type: .normal)
        } catch let refused as SendMeterCommand.Refused {
            return try await page(context, error: refused.description, status: .unprocessableContent)
        }
    }

    private func find(_ context: StaffContext) async throws -> (id: Int64, serial: String, kind: String, connectable: Bool, account: String?) {
        let serial = context.parameters.get("serial") ?? ""
        guard
            let row = try await database.query(
                """
                SELECT m.id, m.serial, m.kind, m.public_key IS NOT NULL AS connectable, a.account_number FROM meters m
                LEFT JOIN meter_installations i ON i.meter_id = m.id AND i.removed_on IS NULL LEFT JOIN accounts a ON a.id = i.account_id
                WHERE m.serial = \(serial)
                """
            ).rows.first
        else { throw PageError.notFound }
        return (
            try row.decode("id"), try row.decode("serial"), try row.decode("kind"), try row.decode("connectable"), try row.decode("account_number")
        )
    }

    private func page(_ context: StaffContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let meter = try await find(context)
        let commands = try await MeterCommands.recent(meterID: meter.id, in: database)
        let tokenLines = meter.kind == "prepaid" ? try await tokens.forMeter(meter.id, limit: 10).map(TokenLine.init) : []
        return try renderer.response(
            OpsMeterPage(
                chrome: context.chrome, title: "Meter \(meter.serial)", serial: meter.serial, kind: meter.kind, accountNumber: meter.account,
                connectable: meter.connectable, action: routes.opsMeterCommand.url(meter.serial), notice: notice, error: error,
                commands: commands, hasCommands: !commands.isEmpty,
                tokens: tokenLines.isEmpty ? nil : TokenList(tokenLines)),
            status: status)
    }
}

/// The model of `ops/meter.mustache`.
struct OpsMeterPage: Page {
    static let template = "ops/meter"
    let chrome: Chrome
    let title: String
    let serial: String
    let kind: String
    let accountNumber: String?
    let connectable: Bool
    let action: String
    let notice: String?
    let error: String?
    let commands: [MeterCommands.Sent]
    var hasCommands: Bool
    let tokens: TokenList?
}
